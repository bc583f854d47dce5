using Ledsag.Domain;
using Ledsag.Domain.Deadlines;
using Ledsag.Domain.Eligibility;
using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using Ledsag.Domain.Text;

namespace Ledsag.Cli.Cases;

/// <summary>
/// Reads rule cases in the format of shared/cases/README.md. A typo'd key, a wrong type, a missing
/// value or sessions out of date order is an error with file, line and reason, never ignored.
/// </summary>
public sealed class CaseParser(StandardSet standards)
{
    /// <summary>The event names of the format, mapped to the engine's events.</summary>
    public static readonly IReadOnlyDictionary<string, DeadlineEvent> Events = new Dictionary<string, DeadlineEvent>
    {
        ["application_received"] = DeadlineEvent.ApplicationReceived,
        ["draft_received"] = DeadlineEvent.DraftReceived,
        ["grant_decided"] = DeadlineEvent.GrantDecided,
        ["decision_received"] = DeadlineEvent.DecisionReceived,
        ["complaint_received"] = DeadlineEvent.ComplaintReceived,
        ["partial_decision_received"] = DeadlineEvent.PartialDecisionReceived,
        ["complaint_maintained"] = DeadlineEvent.ComplaintMaintained,
        ["complaint_upheld"] = DeadlineEvent.ComplaintUpheld,
    };

    private static readonly string[] LedgerReasons = [ReasonCodes.InvalidDuration, ReasonCodes.OutsideGrant, ReasonCodes.ExceedsBalance];

    /// <summary>Reads every case of a file: the valid ones, and an error for each one that is not.</summary>
    public (IReadOnlyList<RuleCase> Cases, IReadOnlyList<RuleFileError> Errors) Parse(string text, string file)
    {
        YNode root;
        try
        {
            root = StrictYaml.Parse(text, file);
        }
        catch (RuleFileException e)
        {
            return ([], e.Errors);
        }
        var nodes = root.IsSequence ? root.Items() : root.IsMapping ? [root] : null;
        if (nodes is null || nodes.Count == 0)
        {
            return ([], [new RuleFileError(file, root.Line, "", "filen skal indeholde én case (en mapping) eller en liste af cases")]);
        }
        var cases = new List<RuleCase>();
        var errors = new List<RuleFileError>();
        foreach (var node in nodes)
        {
            try
            {
                cases.Add(ParseCase(node));
            }
            catch (RuleFileException e)
            {
                errors.AddRange(e.Errors);
            }
        }
        return (cases, errors);
    }

    private RuleCase ParseCase(YNode n)
    {
        if (!n.IsMapping)
        {
            throw n.Error("en case skal være en mapping (name, municipality, kind, …)");
        }
        var name = n.Required("name").String();
        var municipalityNode = n.Required("municipality");
        var municipality = municipalityNode.String();
        if (!standards.Municipalities.TryGetValue(municipality, out var standard))
        {
            throw municipalityNode.Error($"ukendt kommune '{municipality}' (kendte: {string.Join(", ", standards.Municipalities.Keys.Order())})");
        }
        var kindNode = n.Required("kind");
        RuleCase c = kindNode.String() switch
        {
            "hours" => ParseHours(n, name, municipality, standard),
            "eligibility" => ParseEligibility(n, name, municipality),
            "deadline" => ParseDeadline(n, name, municipality),
            "rates" => ParseRates(n, name, municipality),
            var k => throw kindNode.Error($"ukendt kind '{k}' (tilladt: hours, eligibility, deadline, rates)"),
        };
        n.RejectUnknownKeys();
        return c;
    }

    private static HoursCase ParseHours(YNode n, string name, string municipality, MunicipalStandard standard)
    {
        var g = n.Required("grant");
        var start = g.Required("start").Date();
        var end = g.Optional("end")?.Date();
        if (end is { } e && e < start)
        {
            throw g.Required("end").Error("slutdatoen ligger før startdatoen");
        }
        var hoursNode = g.Optional("hours_per_month");
        var hours = hoursNode?.Hours() ?? standard.Get<Minutes>(Parameters.HoursPerMonth, start).Value;
        if (hours.Value < 0)
        {
            throw hoursNode!.Error("timer om måneden kan ikke være negative");
        }
        var savings = new List<SavingsAgreement>();
        if (g.Optional("savings") is { } s)
        {
            foreach (var item in s.Items())
            {
                var from = item.Required("from").Date();
                var to = item.Required("to").Date();
                var agreed = item.Optional("agreed")?.Date();
                item.RejectUnknownKeys();
                savings.Add(to < from ? throw item.Error("aftalens 'to' ligger før 'from'") : new SavingsAgreement(from, to, agreed));
            }
        }
        g.RejectUnknownKeys();

        var usage = new List<UsageLine>();
        if (n.Optional("usage") is { } u)
        {
            foreach (var item in u.Items())
            {
                var date = item.Required("date").Date();
                if (usage.Count > 0 && date < usage[^1].Date)
                {
                    throw item.Required("date").Error($"usage skal stå i datoorden ({date:yyyy-MM-dd} står efter {usage[^1].Date:yyyy-MM-dd})");
                }
                var minutes = item.Required("hours").Hours();
                var accepted = true;
                if (item.Optional("expect") is { } ex)
                {
                    accepted = ex.String() switch
                    {
                        "accepted" => true,
                        "rejected" => false,
                        var v => throw ex.Error($"'{v}' er hverken accepted eller rejected"),
                    };
                }
                string? reason = null;
                if (item.Optional("reason") is { } r)
                {
                    reason = r.String();
                    if (accepted)
                    {
                        throw r.Error("reason kræver expect: rejected");
                    }
                    if (!LedgerReasons.Contains(reason))
                    {
                        throw r.Error($"ukendt afvisningsårsag '{reason}' (tilladt: {string.Join(", ", LedgerReasons)})");
                    }
                }
                item.RejectUnknownKeys();
                usage.Add(new UsageLine(date, minutes, accepted, reason, item.Line));
            }
        }

        var expect = new List<Expectation>();
        var ex2 = n.Required("expect");
        if (ex2.Optional("balances") is { } balances)
        {
            foreach (var b in balances.Items())
            {
                var date = b.Required("date").Date();
                var prefix = $"balances[{date:yyyy-MM-dd}].";
                foreach (var key in new[] { "available", "current_month", "saved", "lapsed_total", "used_total" })
                {
                    if (b.Optional(key) is { } v)
                    {
                        expect.Add(new Expectation(prefix + key, v.Decimal(), v.Line));
                    }
                }
                if (b.Optional("next_lapse") is { } nl)
                {
                    ExpectedLapse? lapse = null;
                    if (!nl.IsNull)
                    {
                        lapse = new ExpectedLapse(nl.Required("date").Date(), nl.Required("hours").Decimal());
                        nl.RejectUnknownKeys();
                    }
                    expect.Add(new Expectation(prefix + "next_lapse", lapse, nl.Line));
                }
                b.RejectUnknownKeys();
            }
        }
        ex2.RejectUnknownKeys();
        return new HoursCase(name, municipality, n.File, n.Line, expect, new Grant(start, end, hours, savings), usage);
    }

    private static readonly string[] FactKeys =
    [
        "significant_lasting_reduced_function", "cannot_move_alone", "can_express_wish", "aware_of_activity",
        "can_participate_without_help", "needs_socialpedagogical_support", "primary_mental_illness_or_social",
        "needs_behaviour_regulation", "needs_health_care", "has_bpa_96", "has_contact_person_98",
        "granted_before_pension_age", "lives_in_botilbud",
    ];

    private static EligibilityCase ParseEligibility(YNode n, string name, string municipality)
    {
        var date = n.Required("date").Date();
        var applicant = n.Required("applicant");
        var birth = applicant.Required("birth_date").Date();
        applicant.RejectUnknownKeys();
        if (birth > date)
        {
            throw applicant.Required("birth_date").Error("fødselsdatoen ligger efter vurderingsdatoen");
        }

        var facts = new EligibilityFacts();
        if (n.Optional("facts") is { } f)
        {
            bool B(string key, bool dflt) => f.Optional(key)?.Bool() ?? dflt;
            facts = new EligibilityFacts
            {
                SignificantLastingReducedFunction = B(FactKeys[0], true),
                CannotMoveAlone = B(FactKeys[1], true),
                CanExpressWish = B(FactKeys[2], true),
                AwareOfActivity = B(FactKeys[3], true),
                CanParticipateWithoutHelp = B(FactKeys[4], true),
                NeedsSocialpedagogicalSupport = B(FactKeys[5], false),
                PrimaryMentalIllnessOrSocial = B(FactKeys[6], false),
                NeedsBehaviourRegulation = B(FactKeys[7], false),
                NeedsHealthCare = B(FactKeys[8], false),
                HasBpa96 = B(FactKeys[9], false),
                HasContactPerson98 = B(FactKeys[10], false),
                GrantedBeforePensionAge = B(FactKeys[11], false),
                LivesInBotilbud = B(FactKeys[12], false),
                BotilbudCompanionPerMonth = ReadHours(f, "botilbud_companion_hours_per_month"),
                OwnHomeCompanionPerMonth = ReadHours(f, "own_home_companion_hours_per_month"),
                FunctionalLevel = ReadLevel(f),
            };
            f.RejectUnknownKeys();
        }

        var expect = new List<Expectation>();
        var ex = n.Required("expect");
        if (ex.Optional("recommendation") is { } r)
        {
            var v = r.String();
            expect.Add(v is "grant" or "deny" or "assess"
                ? new Expectation("recommendation", v, r.Line)
                : throw r.Error($"'{v}' er ikke grant, deny eller assess"));
        }
        if (ex.Optional("reasons") is { } reasons)
        {
            var codes = new List<string>();
            foreach (var item in reasons.Items())
            {
                var code = item.String();
                codes.Add(ReasonCodes.All.Contains(code) && !LedgerReasons.Contains(code)
                    ? code : throw item.Error($"ukendt årsagskode '{code}'"));
            }
            expect.Add(new Expectation("reasons", codes.Distinct().Order(StringComparer.Ordinal).ToList(), reasons.Line));
        }
        if (ex.Optional("hours_per_month") is { } h)
        {
            expect.Add(new Expectation("hours_per_month", h.IsNull ? null : h.Decimal(), h.Line));
        }
        ex.RejectUnknownKeys();
        return new EligibilityCase(name, municipality, n.File, n.Line, expect, date, birth, facts);
    }

    private static Minutes ReadHours(YNode f, string key)
    {
        var node = f.Optional(key);
        if (node is null)
        {
            return Minutes.Zero;
        }
        var m = node.Hours();
        return m.Value < 0 ? throw node.Error("timer kan ikke være negative") : m;
    }

    private static int? ReadLevel(YNode f)
    {
        var node = f.Optional("functional_level");
        if (node is null || node.IsNull)
        {
            return null;
        }
        var level = node.Int();
        return level is < 0 or > 4 ? throw node.Error($"funktionsniveau {level} findes ikke (0–4)") : level;
    }

    private static DeadlineCase ParseDeadline(YNode n, string name, string municipality)
    {
        var eventNode = n.Required("event");
        var ev = Events.TryGetValue(eventNode.String(), out var e) ? e
            : throw eventNode.Error($"ukendt event '{eventNode.String()}' (tilladt: {string.Join(", ", Events.Keys)})");
        var date = n.Required("date").Date();
        var outputs = DeadlineEngine.Outputs[ev].Select(o => o.Name).ToList();
        var ex = n.Required("expect");
        var expect = new List<Expectation>();
        foreach (var output in outputs)
        {
            if (ex.Optional(output) is { } v)
            {
                expect.Add(new Expectation(output, v.IsNull ? null : v.Date(), v.Line));
            }
        }
        ex.RejectUnknownKeys();
        return new DeadlineCase(name, municipality, n.File, n.Line, expect, ev, date);
    }

    private static RatesCase ParseRates(YNode n, string name, string municipality)
    {
        var date = n.Required("date").Date();
        decimal? km = null;
        if (n.Optional("km") is { } kmNode)
        {
            km = kmNode.Decimal();
            if (km < 0)
            {
                throw kmNode.Error("km kan ikke være negativ");
            }
        }
        var ex = n.Required("expect");
        var expect = new List<Expectation>();
        foreach (var key in new[] { "subsidy_max", "km_rate", "mileage_amount" })
        {
            if (ex.Optional(key) is { } v)
            {
                if (key == "mileage_amount" && km is null)
                {
                    throw v.Error("mileage_amount kræver km i casen");
                }
                expect.Add(new Expectation(key, v.IsNull ? null : v.Decimal(), v.Line));
            }
        }
        ex.RejectUnknownKeys();
        return new RatesCase(name, municipality, n.File, n.Line, expect, date, km);
    }
}
