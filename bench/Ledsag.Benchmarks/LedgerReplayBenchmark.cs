using BenchmarkDotNet.Attributes;
using Ledsag.Domain;
using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using NodaTime;

namespace Ledsag.Benchmarks;

/// <summary>
/// Replays one grant with ten years of weekly sessions (520 sessions, savings all the way) and reads
/// the balance and lapse forecast at the end. Goal: well under a millisecond.
/// </summary>
[MemoryDiagnoser]
public class LedgerReplayBenchmark
{
    private IReadOnlyList<LedgerRules> _rules = [];
    private Grant _grant = null!;
    private (LocalDate Date, Minutes Minutes)[] _sessions = [];

    [Params("haderslev", "lejre")]
    public string Municipality { get; set; } = "haderslev";

    [GlobalSetup]
    public void Setup()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "standards");
        var standards = StandardParser.Parse(Directory.GetFiles(dir, "*.yaml").Select(f => (f, File.ReadAllText(f))));
        _rules = LedgerRules.Timeline(standards[Municipality]);
        var start = new LocalDate(2016, 1, 4);
        _grant = new Grant(start, start.PlusYears(10).PlusDays(-1), Minutes.FromHours(15), [new SavingsAgreement(start, start.PlusYears(10))]);
        // Weekly sessions of 2–5 hours: some weeks over the monthly average, so savings are drawn and some hours lapse.
        _sessions = Enumerable.Range(0, 520).Select(w => (start.PlusWeeks(w), new Minutes(120 + (w * 37 % 180)))).ToArray();
    }

    [Benchmark]
    public Balance ReplayTenYearsWeekly()
    {
        var ledger = new HoursLedger(_grant, _rules);
        foreach (var (date, minutes) in _sessions)
        {
            ledger.Use(date, minutes);
        }
        return ledger.BalanceAt(_grant.End!.Value);
    }
}
