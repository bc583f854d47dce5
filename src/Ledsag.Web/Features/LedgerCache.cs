using Ledsag.Domain.Hours;
using Microsoft.Extensions.Caching.Memory;
using NodaTime;
using Grant = Ledsag.Web.Data.Grant;

namespace Ledsag.Web.Features;

/// <summary>
/// Replayed ledgers kept between requests. A grant's ledger is a pure function of its posted sessions,
/// its savings agreements and its start, end and hours; every change to sessions or agreements moves the
/// grant's version (registration, reversal, agreement, import), so an entry is used only while the grant
/// row read in the same request still has the version, start, end and hours it was replayed for. Several
/// server instances therefore never see each other's stale entries. Entries are never changed once stored:
/// callers get copies (<see cref="HoursLedger.Clone"/>).
/// </summary>
public sealed class LedgerCache(IConfiguration config) : IDisposable
{
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = config.GetValue("Ledger:CachedGrants", 4096) });

    /// <summary>A replayed ledger and what the next registration needs to book on it without reading the sessions again.</summary>
    /// <param name="Version">The grant's version it was replayed at.</param>
    /// <param name="Start">The grant's first day then.</param>
    /// <param name="End">The grant's last day then.</param>
    /// <param name="MinutesPerMonth">The grant's monthly hours then.</param>
    /// <param name="Ledger">The replay; never booked on (callers clone it).</param>
    /// <param name="LastDate">The date of the last standing session (a session dated on or after it can be booked on a copy).</param>
    /// <param name="MaxSequence">The highest booking sequence number of the grant, reversals included.</param>
    public sealed record Entry(long Version, LocalDate Start, LocalDate? End, int MinutesPerMonth, HoursLedger Ledger, LocalDate? LastDate, long MaxSequence);

    /// <summary>The entry for <paramref name="g"/> as just read from the database, or null when none is current.</summary>
    public Entry? Get(Grant g)
    {
        var hit = _entries.TryGetValue(g.Id, out Entry? e) && e!.Version == g.Version && e.Start == g.Start && e.End == g.End && e.MinutesPerMonth == g.MinutesPerMonth;
        Infrastructure.Telemetry.LedgerCacheLookup(hit);
        return hit ? e : null;
    }

    /// <summary>Keeps <paramref name="ledger"/> for <paramref name="g"/> at its current version; the caller must not use the ledger afterwards.</summary>
    public void Put(Grant g, HoursLedger ledger, LocalDate? lastDate, long maxSequence) =>
        _entries.Set(g.Id, new Entry(g.Version, g.Start, g.End, g.MinutesPerMonth, ledger, lastDate, maxSequence), new MemoryCacheEntryOptions { Size = 1 });

    public void Dispose() => _entries.Dispose();
}
