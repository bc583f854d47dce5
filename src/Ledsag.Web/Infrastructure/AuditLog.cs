using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// The append-only audit log, one hash chain per municipality. Each entry's hash covers its fields (its detail
/// through the detail's own hash), its chain and the previous entry's hash, so changing or deleting a row breaks
/// its chain (<c>ledsag audit verify</c>).
/// <para>
/// An entry is written in the same transaction as the change it records, unsealed; the <see cref="AuditSealer"/>
/// then seals what has been committed, a batch per chain in one transaction: it numbers the entries, chains them
/// and signs them. So a request never waits for another request's commit, and a municipality never for another's
/// (each chain is sealed on its own). Unique indexes on (chain, sequence) and (chain, previous hash), and a sealer
/// claiming only unsealed entries, keep each chain a line with several server instances sealing. Outside a
/// server (the <c>ledsag</c> command) an entry is sealed right after its commit, and <see cref="VerifyAsync"/> seals
/// what is waiting before it checks.
/// </para>
/// <para>
/// Anchored outside the database with the <see cref="MasterKey"/>: every entry carries an HMAC of its hash, so
/// re-hashing a chain after an edit is caught (that needs the key), and each chain's head is written to a file
/// beside the key after each sealing, so deleting the newest entries is caught too. A new chain is recorded in
/// the shared chain (""), so deleting a municipality's whole chain is caught as well. A detail (which may name a
/// person) can be erased at anonymisation while its hash stays: the chain still verifies.
/// </para>
/// </summary>
public sealed class AuditLog(IClock clock, MasterKey key)
{
    public const string Genesis = "GENESIS";

    /// <summary>The chain of entries without a municipality, and of the whole log written before chains were kept per municipality.</summary>
    public const string SharedChain = "";

    /// <summary>Most entries sealed in one transaction (over all chains); more wait for the next pass.</summary>
    public const int SealBatch = 2000;

    private const string MacPurpose = "ledsag-audit-anchor-v1";
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> Gates = new(); // one sealing pass per database in this process
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Database, string Chain), string> _chainIds = new();
    private readonly byte[] _macKey = key.Derive(MacPurpose);
    private readonly System.Threading.Channels.Channel<bool> _wake = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
    private long _sealed;

    /// <summary>Set while an <see cref="AuditSealer"/> runs in this process: entries are then sealed by it rather than by the writer.</summary>
    internal bool BackgroundSealing { get; set; }

    /// <summary>How many entries this process has sealed (for metrics and tests).</summary>
    public long Sealed => Interlocked.Read(ref _sealed);

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

    /// <summary>Queues an entry in <paramref name="db"/>; it is saved by <see cref="SaveAsync"/> and sealed into its municipality's chain after.</summary>
    public void Add(LedsagDb db, Actor? actor, string action, string entity, string? entityId, string? detail = null) =>
        db.Audit.Add(new AuditEntry
        {
            At = Truncate(clock.GetCurrentInstant()),
            MunicipalityId = actor?.MunicipalityId,
            Chain = ChainOf(actor?.MunicipalityId),
            UserId = actor?.UserId,
            Action = action,
            Entity = entity,
            EntityId = entityId,
            Detail = detail,
            PreviousHash = "",
            Hash = "",
        });

    /// <summary>The chain an entry of <paramref name="municipalityId"/> belongs to.</summary>
    public static string ChainOf(string? municipalityId) => municipalityId ?? SharedChain;

    /// <summary>
    /// Saves the change and its audit entries in one transaction. The entries are sealed after the commit: by the
    /// server's sealer, or here at once when no sealer runs in this process and the save is not inside a caller's transaction.
    /// </summary>
    public async Task SaveAsync(LedsagDb db, CancellationToken ct = default)
    {
        using var span = Telemetry.Source.StartActivity("ledsag.audit.save");
        var added = db.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        foreach (var entry in added)
        {
            entry.Chain = ChainOf(entry.MunicipalityId);
            entry.Sequence = 0;
            entry.DetailHash = DetailHashOf(entry.Detail);
        }
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(ct);
        }
        if (added.Count == 0)
        {
            return;
        }
        Telemetry.AuditEntriesWritten.Add(added.Count);
        if (BackgroundSealing)
        {
            _wake.Writer.TryWrite(true);
        }
        else if (db.Database.CurrentTransaction is null)
        {
            await SealPendingAsync(db, ct);
        }
    }

    /// <summary>Waits until an entry has been saved in this process, or <paramref name="timeout"/> has passed (entries saved by other instances).</summary>
    internal async Task WaitForEntriesAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Seals every committed entry that waits to be sealed: in one transaction per pass, for every chain with waiting
    /// entries (up to <see cref="SealBatch"/> in all), numbers them after the chain's last sealed entry, chains and signs
    /// them; after the commit each chain's new head is recorded outside the database. On PostgreSQL a chain another
    /// instance is sealing right now (its advisory lock is taken) is left to it; a clash found on saving (another
    /// instance sealed first) starts the pass again on the chains as they now are. Returns how many entries were sealed
    /// here. Does nothing inside a caller's transaction (its entries are not committed yet).
    /// </summary>
    public async Task<int> SealPendingAsync(LedsagDb db, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return 0;
        }
        var database = Database(db);
        var gate = Gates.GetOrAdd(database, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var total = 0;
            for (int round = 0, attempt = 0; round < 20 && attempt < 5; round++)
            {
                int sealedNow;
                bool more;
                try
                {
                    (sealedNow, more) = await SealPassAsync(db, database, ct);
                }
                catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException)
                {
                    // Another instance sealed first (a unique index or the "still unsealed" check said so), or SQLite was busy.
                    attempt++;
                    await Task.Delay(Random.Shared.Next(5, 25) * attempt, ct);
                    continue;
                }
                finally
                {
                    // Sealed entries are not kept tracked: the caller's context would hold a copy that changed behind it.
                    foreach (var tracked in db.ChangeTracker.Entries<AuditEntry>().ToList())
                    {
                        tracked.State = EntityState.Detached;
                    }
                }
                total += sealedNow;
                if (!more)
                {
                    break;
                }
            }
            Interlocked.Add(ref _sealed, total);
            return total;
        }
        finally
        {
            gate.Release();
        }
    }

    // One pass: returns how many entries it sealed, and whether more wait (a full batch, or a chain just opened in the shared chain).
    private async Task<(int Sealed, bool More)> SealPassAsync(LedsagDb db, string database, CancellationToken ct)
    {
        var postgres = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var chains = await db.Audit.AsNoTracking().Where(a => a.Sequence == 0).Select(a => a.Chain).Distinct().ToListAsync(ct);
        if (postgres && chains.Count > 0)
        {
            // Held to the end of this transaction; a chain whose lock another instance holds is being sealed there.
            var offered = chains.ToArray();
            chains = await db.Database.SqlQueryRaw<string>(
                "SELECT c AS \"Value\" FROM unnest({0}::text[]) AS c WHERE pg_try_advisory_xact_lock(hashtextextended('ledsag-audit:' || c, 0))", [offered]).ToListAsync(ct);
        }
        if (chains.Count == 0)
        {
            return (0, false);
        }
        chains.Sort(StringComparer.Ordinal);
        using var sealing = Telemetry.StartAuditSeal(chains.Count == 1 ? chains[0] : "*", 0);
        var pending = await db.Audit.Where(a => a.Sequence == 0 && chains.Contains(a.Chain)).OrderBy(a => a.Id).Take(SealBatch).ToListAsync(ct);
        var heads = new List<(string Chain, long Sequence, string Hash)>();
        var more = pending.Count == SealBatch;
        foreach (var group in pending.GroupBy(a => a.Chain))
        {
            var chain = group.Key;
            var last = await db.Audit.AsNoTracking().Where(a => a.Chain == chain && a.Sequence > 0).OrderByDescending(a => a.Sequence)
                .Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(ct);
            var (sequence, previous) = (last?.Sequence ?? 0, last?.Hash ?? Genesis);
            var entries = group.ToList();
            if (sequence == 0)
            {
                previous = StartChain(db, chain, entries[0].At);
                sequence = 1;
                more |= chain != SharedChain;
            }
            foreach (var entry in entries)
            {
                entry.Sequence = ++sequence;
                entry.PreviousHash = previous;
                Seal(entry);
                previous = entry.Hash;
            }
            heads.Add((chain, sequence, previous));
        }
        sealing.Count(pending.Count);
        // One batch of updates, each "where still unsealed" (the sequence is a concurrency token): an entry another
        // instance sealed meanwhile fails the whole pass, which starts again on the chains as they now are.
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        sealing.Committed();
        foreach (var (chain, sequence, hash) in heads)
        {
            await RecordHeadAsync(db, database, chain, sequence, hash, ct);
        }
        return (pending.Count, more);
    }

    // A new chain starts with an entry of its own (a random id makes every chain distinct), sealed as number 1; the
    // shared chain records it, so a municipality's chain deleted whole is missed by the shared chain's check.
    private string StartChain(LedsagDb db, string chain, Instant at)
    {
        var start = new AuditEntry
        {
            Chain = chain, MunicipalityId = chain == SharedChain ? null : chain, Sequence = 1, At = at, Action = "chain-start", Entity = "audit",
            Detail = Guid.NewGuid().ToString("N"), PreviousHash = Genesis, Hash = "",
        };
        Seal(start);
        db.Audit.Add(start);
        if (chain != SharedChain)
        {
            db.Audit.Add(new AuditEntry
            {
                Chain = SharedChain, At = at, Action = "chain-opened", Entity = "audit", EntityId = chain, Detail = start.Hash,
                DetailHash = DetailHashOf(start.Hash), PreviousHash = "", Hash = "",
            });
        }
        return start.Hash;
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

    // The head file: "sequence hash mac", named by the chain's id (its first entry), beside the master key.
    private string HeadFile(string chainId) => Path.Combine(key.Folder, $"audit-head-{chainId}.txt");

    private async Task<string?> ChainIdAsync(LedsagDb db, string database, string chain, CancellationToken ct)
    {
        if (!_chainIds.TryGetValue((database, chain), out var id))
        {
            var first = await db.Audit.AsNoTracking().Where(a => a.Chain == chain && a.Sequence == 1).Select(a => a.Hash).FirstOrDefaultAsync(ct);
            if (first is null)
            {
                return null;
            }
            _chainIds[(database, chain)] = id = first[..16];
        }
        return id;
    }

    private async Task RecordHeadAsync(LedsagDb db, string database, string chain, long sequence, string hash, CancellationToken ct)
    {
        if (await ChainIdAsync(db, database, chain, ct) is not { } id)
        {
            return;
        }
        var file = HeadFile(id);
        // Another instance may have sealed further already: a head never moves back.
        if (ReadHead(id) is { } known && known.Sequence > sequence && known.Sequence != long.MaxValue)
        {
            return;
        }
        var temp = $"{file}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        Directory.CreateDirectory(key.Folder);
        await File.WriteAllTextAsync(temp, $"{sequence.ToString(CultureInfo.InvariantCulture)} {hash} {Mac($"{sequence}:{hash}")}", ct);
        File.Move(temp, file, overwrite: true);
    }

    // How a chain is named in a finding.
    private static string Named(string chain) => chain == SharedChain ? "den fælles kæde" : $"kæden for {chain}";

    /// <summary>
    /// Seals what waits to be sealed, then checks every chain: every hash, every anchor, every detail that is still
    /// there, that each chain still reaches the head last written outside the database, and that every chain the
    /// shared chain records as opened is there. Returns the first problem, or null when intact.
    /// </summary>
    public async Task<(long Checked, string? Problem)> VerifyAsync(LedsagDb db, CancellationToken ct = default)
    {
        await SealPendingAsync(db, ct);
        long count = 0;
        var opened = new Dictionary<string, string>(StringComparer.Ordinal); // chain → its first entry's hash, from the shared chain
        var firsts = new Dictionary<string, string>(StringComparer.Ordinal);
        string? chain = null, previous = null;
        long last = 0;
        (long Sequence, string Hash)? head = null;
        string? EndOfChain() =>
            chain is not null && head is { } known && known.Sequence > last
                ? $"{Named(chain)} slutter ved post {last}, men post {known.Sequence} er skrevet — de nyeste poster er slettet"
                : null;
        await foreach (var entry in db.Audit.AsNoTracking().Where(a => a.Sequence > 0).OrderBy(a => a.Chain).ThenBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (entry.Chain != chain)
            {
                if (EndOfChain() is { } cut)
                {
                    return (count, cut);
                }
                chain = entry.Chain;
                previous = Genesis;
                last = 0;
                head = null;
            }
            var at = $"{Named(entry.Chain)}, post {entry.Sequence}";
            if (entry.PreviousHash != previous)
            {
                return (count, $"{at}: kæden er brudt — en post før den mangler eller er ændret (sidst gyldige: {last})");
            }
            if (entry.Mac is null)
            {
                return (count, $"{at}: posten er ikke forankret (den mangler sin signatur)");
            }
            if ((entry.Detail is not null && DetailHashOf(entry.Detail) != entry.DetailHash) || HashOf(entry) != entry.Hash)
            {
                return (count, $"{at}: indholdet er ændret (hash passer ikke)");
            }
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(entry.Hash)), Encoding.ASCII.GetBytes(entry.Mac)))
            {
                return (count, $"{at}: signaturen passer ikke — kæden er skrevet om uden nøglen");
            }
            if (last == 0)
            {
                firsts[entry.Chain] = entry.Hash;
                head = ReadHead(entry.Hash[..16]);
            }
            if (head is { } h && entry.Sequence == h.Sequence && entry.Hash != h.Hash)
            {
                return (count, $"{at}: er ikke den post, der sidst blev skrevet som nummer {h.Sequence} — loggen er skrevet om");
            }
            if (entry.Chain == SharedChain && entry.Action == "chain-opened" && entry.EntityId is { } child && entry.Detail is { } childFirst)
            {
                opened[child] = childFirst;
            }
            previous = entry.Hash;
            last = entry.Sequence;
            count++;
        }
        if (EndOfChain() is { } cutLast)
        {
            return (count, cutLast);
        }
        foreach (var (child, first) in opened)
        {
            if (!firsts.TryGetValue(child, out var found) || found != first)
            {
                return (count, $"{Named(child)} mangler eller er startet forfra — den fælles kæde viser, at den blev oprettet");
            }
        }
        return (count, null);
    }

    private (long Sequence, string Hash)? ReadHead(string chainId)
    {
        var file = HeadFile(chainId);
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
        if (!await db.Audit.AnyAsync(a => a.Mac == null && a.Chain == SharedChain && a.Sequence > 0, ct))
        {
            return 0;
        }
        var gate = Gates.GetOrAdd(Database(db), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var entries = await db.Audit.Where(a => a.Chain == SharedChain && a.Sequence > 0).OrderBy(a => a.Sequence).ToListAsync(ct);
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
            await db.Audit.Where(a => a.Chain == SharedChain && a.Sequence > 0).ExecuteUpdateAsync(a => a.SetProperty(x => x.PreviousHash, x => x.Hash + "~"), ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            _chainIds.Clear();
            if (entries.Count > 0)
            {
                await RecordHeadAsync(db, Database(db), SharedChain, entries[^1].Sequence, entries[^1].Hash, ct);
            }
            return entries.Count;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// After a restore the log is as the backup left it: the anchor is set to the restored chain's head, as a
    /// deliberate step of the operator (recorded by the restore command).
    /// </summary>
    public async Task ResetHeadAsync(LedsagDb db, CancellationToken ct = default)
    {
        var heads = await db.Audit.AsNoTracking().Where(a => a.Sequence > 0).GroupBy(a => a.Chain).Select(g => new { Chain = g.Key, Sequence = g.Max(a => a.Sequence) }).ToListAsync(ct);
        var gate = Gates.GetOrAdd(Database(db), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            foreach (var head in heads)
            {
                var hash = await db.Audit.AsNoTracking().Where(a => a.Chain == head.Chain && a.Sequence == head.Sequence).Select(a => a.Hash).FirstAsync(ct);
                _chainIds.TryRemove((Database(db), head.Chain), out _);
                if (await ChainIdAsync(db, Database(db), head.Chain, ct) is { } id)
                {
                    // Deliberately back to the restored head, which may be behind the one last written.
                    File.Delete(HeadFile(id));
                }
                await RecordHeadAsync(db, Database(db), head.Chain, head.Sequence, hash, ct);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    // An entry of a municipality's chain also covers its chain's name; the shared chain's entries hash as they always did.
    internal static string HashOf(AuditEntry e)
    {
        var text = string.Join('\u001f', e.Sequence.ToString(CultureInfo.InvariantCulture), e.PreviousHash, e.At.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture),
            e.MunicipalityId ?? "", e.UserId?.ToString() ?? "", e.Action, e.Entity, e.EntityId ?? "", e.DetailHash ?? "");
        if (e.Chain != SharedChain)
        {
            text += "\u001f" + e.Chain;
        }
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
}

/// <summary>
/// Seals the audit log in the server: woken when a request has saved entries, and every second for entries other
/// instances or the <c>ledsag</c> command saved. What is committed while it seals one batch waits for the next, so
/// under load one transaction seals many requests' entries. On shutdown it seals what is left.
/// </summary>
public sealed class AuditSealer(IServiceScopeFactory scopes, AuditLog audit, ILogger<AuditSealer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        audit.BackgroundSealing = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await SealAsync(stoppingToken);
                await audit.WaitForEntriesAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            audit.BackgroundSealing = false;
            await SealAsync(CancellationToken.None);
        }
    }

    private async Task SealAsync(CancellationToken ct)
    {
        try
        {
            using var scope = scopes.CreateScope();
            await audit.SealPendingAsync(scope.ServiceProvider.GetRequiredService<LedsagDb>(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The entries stay unsealed and are sealed on the next pass; nothing is lost.
            log.LogError(e, "Sealing the audit log failed; it is tried again");
        }
    }
}
