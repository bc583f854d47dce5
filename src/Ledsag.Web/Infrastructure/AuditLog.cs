using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// The append-only audit log. Each entry's hash covers its fields (its detail through the detail's own hash)
/// and the previous entry's hash, so changing or deleting a row breaks the chain (<c>ledsag audit verify</c>).
/// A unique index on the previous hash keeps the chain a line even with several server instances writing.
/// <para>
/// Anchored outside the database with the <see cref="MasterKey"/>: every entry carries an HMAC of its hash, so
/// re-hashing the chain after an edit is caught (that needs the key), and the chain's head is written to a file
/// beside the key after each append, so deleting the newest entries is caught too. A detail (which may name a
/// person) can be erased at anonymisation while its hash stays: the chain still verifies.
/// </para>
/// </summary>
public sealed class AuditLog(IClock clock, MasterKey key)
{
    public const string Genesis = "GENESIS";
    private const string MacPurpose = "ledsag-audit-anchor-v1";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, (long Sequence, string Hash)> Tails = []; // guarded by Gate
    private readonly byte[] _macKey = key.Derive(MacPurpose);
    private readonly Dictionary<string, string> _chains = []; // database → chain id; guarded by Gate

    public MasterKey Key => key;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, Queue<Instant>> Denials = new();

    /// <summary>Most denials a user may cause in a minute before they are answered 429 without touching the database.</summary>
    public const int DenialsPerMinute = 300;

    /// <summary>
    /// Records a refused request (404 or 403), unless the user has been refused <see cref="DenialsPerMinute"/> times in the
    /// last minute: then a 429 is thrown instead, and nothing is written — someone probing identifiers cannot slow everyone
    /// down with a synchronous audit write per guess. The first refusal over the limit is audited once.
    /// </summary>
    public async Task DeniedAsync(LedsagDb db, Actor actor, string entity, string? entityId, string? detail, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var queue = Denials.GetOrAdd(actor.UserId, _ => new Queue<Instant>());
        bool over, first;
        Instant oldest;
        lock (queue)
        {
            while (queue.Count > 0 && queue.Peek() <= now - Duration.FromMinutes(1))
            {
                queue.Dequeue();
            }
            over = queue.Count >= DenialsPerMinute;
            first = queue.Count == DenialsPerMinute;
            if (queue.Count <= DenialsPerMinute)
            {
                queue.Enqueue(now);
            }
            oldest = queue.Peek();
        }
        if (!over || first)
        {
            Add(db, actor, over ? "denied-throttled" : "denied", entity, entityId, over ? $"over {DenialsPerMinute} afvisninger på et minut; flere besvares 429 uden at blive skrevet" : detail);
            await SaveAsync(db, ct);
        }
        if (over)
        {
            throw new ProblemException(StatusCodes.Status429TooManyRequests, "For mange afviste forespørgsler. Vent et øjeblik, og prøv igen.", code: "TOO_MANY_DENIALS")
            {
                RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling((oldest + Duration.FromMinutes(1) - now).TotalSeconds)),
            };
        }
    }

    /// <summary>Queues an entry in <paramref name="db"/>; it is chained and saved by <see cref="SaveAsync"/>.</summary>
    public void Add(LedsagDb db, Actor? actor, string action, string entity, string? entityId, string? detail = null) =>
        db.Audit.Add(new AuditEntry
        {
            At = Truncate(clock.GetCurrentInstant()),
            MunicipalityId = actor?.MunicipalityId,
            UserId = actor?.UserId,
            Action = action,
            Entity = entity,
            EntityId = entityId,
            Detail = detail,
            PreviousHash = "",
            Hash = "",
        });

    /// <summary>Saves the change and its audit entries in one transaction, chaining the entries.</summary>
    public async Task SaveAsync(LedsagDb db, CancellationToken ct = default)
    {
        if (!db.ChangeTracker.Entries<AuditEntry>().Any(e => e.State == EntityState.Added))
        {
            // Nothing to chain (a citizen's own read, say): no need to queue behind other writers.
            if (db.ChangeTracker.HasChanges())
            {
                await db.SaveChangesAsync(ct);
            }
            return;
        }
        await Gate.WaitAsync(ct);
        // The chain's tail is kept per database after this process's own commits, so the usual append
        // reads nothing first. Inside a caller's transaction it is read (a rollback there would leave a
        // kept tail pointing at nothing). Another writer's append makes the kept tail stale: the unique
        // indexes on sequence and previous hash refuse the insert, and the retry reads the tail afresh.
        var database = Database(db);
        var ownTransaction = db.Database.CurrentTransaction is null;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                (long Sequence, string Hash) tail;
                if (ownTransaction && attempt == 0 && Tails.TryGetValue(database, out var kept))
                {
                    tail = kept;
                }
                else
                {
                    var last = await db.Audit.AsNoTracking().OrderByDescending(a => a.Sequence).Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(ct);
                    tail = (last?.Sequence ?? 0, last?.Hash ?? Genesis);
                }
                var (sequence, previous) = tail;
                var added = db.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
                if (sequence == 0 && added[0].Action != "chain-start")
                {
                    // A new chain starts with an entry of its own: a random id makes every database's chain distinct.
                    var start = new AuditEntry
                    {
                        At = added[0].At, Action = "chain-start", Entity = "audit", Detail = Guid.NewGuid().ToString("N"), PreviousHash = "", Hash = "",
                    };
                    db.Audit.Add(start);
                    added.Insert(0, start);
                }
                foreach (var entry in added)
                {
                    entry.Sequence = ++sequence;
                    entry.PreviousHash = previous;
                    Seal(entry);
                    previous = entry.Hash;
                }
                try
                {
                    await db.SaveChangesAsync(ct);
                    if (ownTransaction)
                    {
                        Tails[database] = (sequence, previous);
                        await RecordHeadAsync(db, database, sequence, previous, ct);
                    }
                    else
                    {
                        Tails.Remove(database);
                    }
                    return;
                }
                catch (DbUpdateException e) when (attempt < 5 && IsChainConflict(e))
                {
                    // Another instance appended first: chain onto its entry (read afresh) and try again.
                }
            }
        }
        catch
        {
            Tails.Remove(database);
            throw;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Fills an entry's detail hash, hash and anchor (its HMAC) from its fields and previous hash.</summary>
    private void Seal(AuditEntry entry)
    {
        entry.DetailHash = DetailHashOf(entry.Detail);
        entry.Hash = HashOf(entry);
        entry.Mac = Mac(entry.Hash);
    }

    private string Mac(string hash) => Convert.ToHexString(HMACSHA256.HashData(_macKey, Encoding.ASCII.GetBytes(hash)));

    private static string DetailHashOf(string? detail) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(detail ?? "")));

    // The head file: "sequence hash mac", named by the chain (its first entry), beside the master key.
    private string HeadFile(string chain) => Path.Combine(key.Folder, $"audit-head-{chain}.txt");

    private async Task<string?> ChainAsync(LedsagDb db, string database, CancellationToken ct)
    {
        if (!_chains.TryGetValue(database, out var chain))
        {
            var first = await db.Audit.AsNoTracking().Where(a => a.Sequence == 1).Select(a => a.Hash).FirstOrDefaultAsync(ct);
            if (first is null)
            {
                return null;
            }
            _chains[database] = chain = first[..16];
        }
        return chain;
    }

    private async Task RecordHeadAsync(LedsagDb db, string database, long sequence, string hash, CancellationToken ct)
    {
        if (await ChainAsync(db, database, ct) is not { } chain)
        {
            return;
        }
        var file = HeadFile(chain);
        var temp = $"{file}.{Environment.ProcessId}.tmp";
        Directory.CreateDirectory(key.Folder);
        await File.WriteAllTextAsync(temp, $"{sequence.ToString(CultureInfo.InvariantCulture)} {hash} {Mac($"{sequence}:{hash}")}", ct);
        File.Move(temp, file, overwrite: true);
    }

    /// <summary>
    /// Checks the whole chain: every hash, every anchor, every detail that is still there, and that the log
    /// still reaches the head last written outside the database. Returns the first problem, or null when intact.
    /// </summary>
    public async Task<(long Checked, string? Problem)> VerifyAsync(LedsagDb db, CancellationToken ct = default)
    {
        var previous = Genesis;
        long count = 0, lastId = 0;
        string? chain = null;
        var hashes = new Dictionary<long, string>();
        (long Sequence, string Hash)? head = null;
        await foreach (var entry in db.Audit.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (entry.PreviousHash != previous)
            {
                return (count, $"post {entry.Sequence}: kæden er brudt — en post før den mangler eller er ændret (sidst gyldige: {lastId})");
            }
            if (entry.Mac is null)
            {
                return (count, $"post {entry.Sequence}: posten er ikke forankret (den mangler sin signatur)");
            }
            if ((entry.Detail is not null && DetailHashOf(entry.Detail) != entry.DetailHash) || HashOf(entry) != entry.Hash)
            {
                return (count, $"post {entry.Sequence}: indholdet er ændret (hash passer ikke)");
            }
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(entry.Hash)), Encoding.ASCII.GetBytes(entry.Mac)))
            {
                return (count, $"post {entry.Sequence}: signaturen passer ikke — kæden er skrevet om uden nøglen");
            }
            if (chain is null)
            {
                chain = entry.Hash[..16];
                head = ReadHead(chain);
            }
            if (head is { } h && entry.Sequence == h.Sequence && entry.Hash != h.Hash)
            {
                return (count, $"post {entry.Sequence}: er ikke den post, der sidst blev skrevet som nummer {h.Sequence} — loggen er skrevet om");
            }
            previous = entry.Hash;
            lastId = entry.Sequence;
            count++;
        }
        if (head is { } known && known.Sequence > lastId)
        {
            return (count, $"loggen slutter ved post {lastId}, men post {known.Sequence} er skrevet — de nyeste poster er slettet");
        }
        return (count, null);
    }

    private (long Sequence, string Hash)? ReadHead(string chain)
    {
        var file = HeadFile(chain);
        if (!File.Exists(file))
        {
            return null;
        }
        var parts = File.ReadAllText(file).Split(' ');
        if (parts.Length != 3 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var sequence) || Mac($"{sequence}:{parts[1]}") != parts[2])
        {
            return (long.MaxValue, "");
        }
        return (sequence, parts[1]);
    }

    /// <summary>
    /// Erases the detail of every entry about <paramref name="entityIds"/> (anonymisation); the detail's hash
    /// stays, so the chain still verifies. Who did what, and when, is kept.
    /// </summary>
    public static async Task<int> EraseDetailsAsync(LedsagDb db, IReadOnlyCollection<string> entityIds, CancellationToken ct)
    {
        var erased = 0;
        foreach (var chunk in entityIds.Chunk(500))
        {
            erased += await db.Audit.Where(a => a.EntityId != null && chunk.Contains(a.EntityId) && a.Detail != null)
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.Detail, (string?)null), ct);
        }
        return erased;
    }

    /// <summary>
    /// Anchors a log written before anchoring existed: when its old chain is intact, every entry is sealed
    /// again (detail hash, hash, signature) in one transaction. A broken old chain is left as it is, for
    /// <c>ledsag audit verify</c> to report. Returns how many entries were anchored.
    /// </summary>
    public async Task<long> AnchorOlderEntriesAsync(LedsagDb db, CancellationToken ct = default)
    {
        if (!await db.Audit.AnyAsync(a => a.Mac == null, ct))
        {
            return 0;
        }
        await Gate.WaitAsync(ct);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var entries = await db.Audit.OrderBy(a => a.Sequence).ToListAsync(ct);
            var previous = Genesis;
            foreach (var e in entries.Where(e => e.Mac is null))
            {
                if (e.PreviousHash != previous || OldHashOf(e) != e.Hash)
                {
                    return 0; // the old chain is broken here: anchoring it would bless the break
                }
                previous = e.Hash;
            }
            previous = Genesis;
            foreach (var e in entries)
            {
                e.PreviousHash = previous;
                Seal(e);
                previous = e.Hash;
                db.Entry(e).Property(x => x.PreviousHash).IsModified = true;
            }
            // The unique index on the previous hash holds row by row: first give each row a value no other row has
            // (its own hash and a mark; a previous hash is plain hex), then write the new chain.
            await db.Audit.ExecuteUpdateAsync(a => a.SetProperty(x => x.PreviousHash, x => x.Hash + "~"), ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            Tails.Clear();
            _chains.Clear();
            if (entries.Count > 0)
            {
                _chains[Database(db)] = entries[0].Hash[..16];
                await RecordHeadAsync(db, Database(db), entries[^1].Sequence, entries[^1].Hash, ct);
            }
            return entries.Count;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// After a restore the log is as the backup left it: the anchor is set to the restored chain's head, as a
    /// deliberate step of the operator (recorded by the restore command).
    /// </summary>
    public async Task ResetHeadAsync(LedsagDb db, CancellationToken ct = default)
    {
        var last = await db.Audit.AsNoTracking().OrderByDescending(a => a.Sequence).Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(ct);
        if (last is not null)
        {
            await Gate.WaitAsync(ct);
            try
            {
                _chains.Remove(Database(db));
                await RecordHeadAsync(db, Database(db), last.Sequence, last.Hash, ct);
            }
            finally
            {
                Gate.Release();
            }
        }
    }

    internal static string HashOf(AuditEntry e)
    {
        var text = string.Join('\u001f', e.Sequence.ToString(CultureInfo.InvariantCulture), e.PreviousHash, e.At.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture),
            e.MunicipalityId ?? "", e.UserId?.ToString() ?? "", e.Action, e.Entity, e.EntityId ?? "", e.DetailHash ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    // Before anchoring, an entry's hash covered its detail itself.
    internal static string OldHashOf(AuditEntry e)
    {
        var text = string.Join('\u001f', e.Sequence.ToString(CultureInfo.InvariantCulture), e.PreviousHash, e.At.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture),
            e.MunicipalityId ?? "", e.UserId?.ToString() ?? "", e.Action, e.Entity, e.EntityId ?? "", e.Detail ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    // The kept tails and chain ids are per database, known by its connection string.
    private static string Database(LedsagDb db) => db.Database.GetConnectionString() ?? "";

    // PostgreSQL keeps microseconds; hash what the database keeps.
    private static Instant Truncate(Instant i) => Instant.FromUnixTimeTicks(i.ToUnixTimeTicks() / 10 * 10);

    private static bool IsChainConflict(DbUpdateException e) =>
        e is not DbUpdateConcurrencyException && (e.InnerException?.Message.Contains("Audit", StringComparison.Ordinal) ?? false);
}
