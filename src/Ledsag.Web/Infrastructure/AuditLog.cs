using System.Security.Cryptography;
using System.Text;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// The append-only audit log. Each entry's hash covers its fields and the previous entry's hash, so
/// changing or deleting a row breaks the chain (<c>ledsag audit verify</c>). A unique index on the
/// previous hash keeps the chain a line even with several server instances writing.
/// </summary>
public sealed class AuditLog(IClock clock)
{
    public const string Genesis = "GENESIS";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, (long Sequence, string Hash)> Tails = []; // guarded by Gate

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
        var database = db.Database.GetConnectionString() ?? "";
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
                foreach (var entry in db.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
                {
                    entry.Sequence = ++sequence;
                    entry.PreviousHash = previous;
                    entry.Hash = previous = HashOf(entry);
                }
                try
                {
                    await db.SaveChangesAsync(ct);
                    if (ownTransaction)
                    {
                        Tails[database] = (sequence, previous);
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

    /// <summary>Checks the whole chain; returns the first broken entry's id and why, or null when intact.</summary>
    public static async Task<(long Checked, string? Problem)> VerifyAsync(LedsagDb db, CancellationToken ct = default)
    {
        var previous = Genesis;
        long count = 0, lastId = 0;
        await foreach (var entry in db.Audit.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (entry.PreviousHash != previous)
            {
                return (count, $"post {entry.Sequence}: kæden er brudt — en post før den mangler eller er ændret (sidst gyldige: {lastId})");
            }
            if (HashOf(entry) != entry.Hash)
            {
                return (count, $"post {entry.Sequence}: indholdet er ændret (hash passer ikke)");
            }
            previous = entry.Hash;
            lastId = entry.Sequence;
            count++;
        }
        return (count, null);
    }

    internal static string HashOf(AuditEntry e)
    {
        var text = string.Join('\u001f', e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), e.PreviousHash, e.At.ToUnixTimeTicks().ToString(System.Globalization.CultureInfo.InvariantCulture),
            e.MunicipalityId ?? "", e.UserId?.ToString() ?? "", e.Action, e.Entity, e.EntityId ?? "", e.Detail ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    // PostgreSQL keeps microseconds; hash what the database keeps.
    private static Instant Truncate(Instant i) => Instant.FromUnixTimeTicks(i.ToUnixTimeTicks() / 10 * 10);

    private static bool IsChainConflict(DbUpdateException e) =>
        e is not DbUpdateConcurrencyException && (e.InnerException?.Message.Contains("Audit", StringComparison.Ordinal) ?? false);
}
