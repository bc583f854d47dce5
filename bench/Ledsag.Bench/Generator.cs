using Ledsag.Domain;
using Ledsag.Domain.Cases;
using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using NodaTime;
using DomainGrant = Ledsag.Domain.Hours.Grant;
using Grant = Ledsag.Web.Data.Grant;

namespace Ledsag.Bench;

/// <summary>
/// Realistic data, the same on every run (a fixed seed): citizens spread over the five municipalities,
/// each with a granted case and a grant that started five years ago, a third with a savings agreement,
/// and five years of sessions every 8–12 days of 1½–4 hours, booked through the real ledger so every
/// stored session is one the rules accept. One municipality also has 2,000 open cases in every
/// open state with their deadlines.
/// </summary>
public sealed class Generator(StandardSet standards, LocalDate today, int citizens)
{
    public const string Password = "bench-kode";
    public static readonly string[] Municipalities = ["haderslev", "bronderslev", "lejre", "gribskov", "ballerup"];
    private static readonly string[] Activities = ["cinema", "culture", "sport", "shopping", "social", "nature"];

    public sealed record GrantData(Guid Id, Guid CitizenId, string Municipality, DomainGrant Domain, LocalDate[] Dates, int[] Minutes);

    public List<GrantData> Grants { get; } = [];

    public List<Guid> Haderslev => Grants.Where(g => g.Municipality == "haderslev").Select(g => g.Id).ToList();

    public long SessionCount => Grants.Sum(g => (long)g.Dates.Length);

    /// <summary>Builds the grants and their sessions in memory (the ledger replay reads these).</summary>
    public void Build()
    {
        var random = new Random(2026);
        var start = today.PlusYears(-5).With(DateAdjusters.StartOfMonth);
        for (var i = 0; i < citizens; i++)
        {
            var m = Municipalities[i % Municipalities.Length];
            var rules = LedgerRules.Timeline(standards.Municipalities[m]);
            var savings = i % 3 == 0 ? new[] { new SavingsAgreement(start, today.PlusYears(1)) } : [];
            var grant = new DomainGrant(start, null, Minutes.FromHours(15), savings);
            var ledger = new HoursLedger(grant, rules);
            var dates = new List<LocalDate>();
            var minutes = new List<int>();
            for (var d = start.PlusDays(random.Next(10)); d < today; d = d.PlusDays(8 + random.Next(5)))
            {
                var m0 = 90 + (15 * random.Next(11));
                if (ledger.Use(d, new Minutes(m0)).Accepted)
                {
                    dates.Add(d);
                    minutes.Add(m0);
                }
            }
            Grants.Add(new GrantData(Guid.NewGuid(), Guid.NewGuid(), m, grant, [.. dates], [.. minutes]));
        }
    }

    /// <summary>Writes everything to a migrated database, in one transaction per table.</summary>
    public async Task WriteAsync(LedsagDb db, IProgress<string> progress)
    {
        var passwords = new Passwords();
        var now = SystemClock.Instance.GetCurrentInstant();
        var users = new List<User>();
        foreach (var m in Municipalities)
        {
            var u = new User { MunicipalityId = m, UserName = $"bench.sagsbehandler.{m}", DisplayName = "Bench", Role = Role.Caseworker };
            u.PasswordHash = passwords.Hash(u, Password);
            users.Add(u);
        }
        var haderslev = Grants.Where(g => g.Municipality == "haderslev").Take(32).ToList();
        for (var k = 0; k < haderslev.Count; k++)
        {
            var u = new User { MunicipalityId = "haderslev", UserName = $"bench.borger.{k}", DisplayName = "Bench borger", Role = Role.Citizen, CitizenId = haderslev[k].CitizenId };
            u.PasswordHash = passwords.Hash(u, Password);
            users.Add(u);
        }
        var citizenRows = new List<Citizen>();
        var cases = new List<Case>();
        var grants = new List<Grant>();
        var agreements = new List<SavingsAgreementRow>();
        var deadlines = new List<Deadline>();
        var n = 0;
        Citizen NewCitizen(string m)
        {
            n++;
            var birth = new LocalDate(1950 + (n % 50), 1 + (n % 12), 1 + (n % 28));
            return new Citizen { MunicipalityId = m, Cpr = $"{birth:ddMMyy}{n % 4}{n / 4 % 1000:000}", BirthDate = birth, Name = $"Borger {n}" };
        }
        foreach (var g in Grants)
        {
            var c = NewCitizen(g.Municipality);
            c.Id = g.CitizenId;
            citizenRows.Add(c);
            var k = new Case { MunicipalityId = g.Municipality, CitizenId = c.Id, Number = $"BEN-{n:000000}", State = CaseState.Granted, ReceivedOn = g.Domain.Start.PlusDays(-40), Channel = "brev" };
            cases.Add(k);
            grants.Add(new Grant { Id = g.Id, CaseId = k.Id, CitizenId = c.Id, MunicipalityId = g.Municipality, Start = g.Domain.Start, MinutesPerMonth = 900 });
            agreements.AddRange(g.Domain.Savings.Select(a => new SavingsAgreementRow { GrantId = g.Id, From = a.From, To = a.To, Purpose = "Ferie", AgreedOn = a.Agreed }));
        }
        // 2,000 open cases in Haderslev for the caseworker's worklist, spread over the open states and deadline kinds.
        var open = new (CaseState State, string Kind)[]
        {
            (CaseState.Received, "decision_due"), (CaseState.InAssessment, "decision_due"), (CaseState.Consultation, "consultation_due"),
            (CaseState.ComplaintReceived, "reassessment_due"), (CaseState.InAssessment, "decision_promised"),
        };
        for (var i = 0; i < 2000; i++)
        {
            var c = NewCitizen("haderslev");
            citizenRows.Add(c);
            var (state, kind) = open[i % open.Length];
            var k = new Case { MunicipalityId = "haderslev", CitizenId = c.Id, Number = $"BEN-{n:000000}", State = state, ReceivedOn = today.PlusDays(-(i % 90)), Channel = "digital" };
            cases.Add(k);
            deadlines.Add(new Deadline { CaseId = k.Id, MunicipalityId = "haderslev", Kind = kind, DueOn = today.PlusDays((i % 120) - 30), Source = "Haderslev Kommunes kvalitetsstandard" });
        }
        await using var tx = await db.Database.BeginTransactionAsync();
        await BulkInsert.WriteAsync(db, users);
        await BulkInsert.WriteAsync(db, citizenRows);
        await BulkInsert.WriteAsync(db, cases);
        await BulkInsert.WriteAsync(db, grants);
        await BulkInsert.WriteAsync(db, agreements);
        await BulkInsert.WriteAsync(db, deadlines);
        progress.Report($"{citizenRows.Count} borgere, {cases.Count} sager, {grants.Count} bevillinger, {deadlines.Count} frister");
        // In the order they happened, as five years of registrations would have left them on disk: a grant's
        // sessions are spread over the table, not side by side.
        var written = await BulkInsert.WriteAsync(db, SessionRows(Grants.Select(g => (g.Id, g.Dates, g.Minutes)), now));
        await tx.CommitAsync();
        progress.Report($"{written} ledsagelser");
    }

    /// <summary>The grants' sessions in the order they happened, across grants, as booked sessions.</summary>
    public static IEnumerable<SessionRow> SessionRows(IEnumerable<(Guid Grant, LocalDate[] Dates, int[] Minutes)> grants, Instant now) => grants
        .SelectMany(g => g.Dates.Select((d, i) => (g.Grant, Date: d, Minutes: g.Minutes[i], Index: i)))
        .OrderBy(x => x.Date)
        .Select(x => new SessionRow
        {
            GrantId = x.Grant, Date = x.Date, Minutes = x.Minutes, Activity = Activities[x.Index % Activities.Length], RegisteredBy = Guid.Empty,
            RegisteredByRole = "Import", RegisteredAt = now, ConfirmedAt = now, Sequence = x.Index + 1,
        });
}
