using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Ledsag.Domain.Standards;
using NodaTime;

namespace Ledsag.Web.Infrastructure;

/// <summary>The standards in force, loaded once at start-up (a bad file stops the start with its error).</summary>
public sealed class Standards
{
    private readonly StandardSet _set;

    public Standards(StandardSet set)
    {
        _set = set;
        foreach (var m in set.Municipalities.Values)
        {
            Citations.Names[m.Id] = m.Name;
        }
    }

    public StandardSet Set => _set;

    public MunicipalStandard For(string municipalityId) => _set[municipalityId];
}

/// <summary>
/// Nobody reads file names: a source quoted from a standard's file («gribskov.txt, Sagsbehandlingstid: «…»») is cited
/// as the municipality's quality standard («Gribskov Kommunes kvalitetsstandard, …»). Used by letters, pages and
/// problem documents alike.
/// </summary>
public static partial class Citations
{
    /// <summary>Municipality id → name, filled as the standards load (the file is named after the id).</summary>
    internal static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);

    public static string Cite(string text) => string.IsNullOrEmpty(text) ? text : SourceFile().Replace(text, m =>
        Names.TryGetValue(m.Groups["id"].Value, out var name) ? $"{name}s kvalitetsstandard" : m.Value);

    [GeneratedRegex(@"\b(?<id>[a-z0-9_]+)\.(txt|yaml)\b")]
    private static partial Regex SourceFile();
}

/// <summary>"Today" in Denmark, from the injected clock.</summary>
public sealed class Today(IClock clock)
{
    private static readonly DateTimeZone Copenhagen = DateTimeZoneProviders.Tzdb["Europe/Copenhagen"];

    public LocalDate Date => clock.GetCurrentInstant().InZone(Copenhagen).Date;

    public Instant Now => clock.GetCurrentInstant();

    /// <summary>The Danish calendar day of a moment.</summary>
    public static LocalDate DayOf(Instant moment) => moment.InZone(Copenhagen).Date;
}

/// <summary>
/// One lock per key (a grant, a companion), so registrations touching the same grant or companion in
/// this process run one at a time. Take a grant's lock before a companion's, never the other way.
/// </summary>
public sealed class KeyedLocks
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    public async Task<IDisposable> AcquireAsync(Guid key, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
