using System.ComponentModel.DataAnnotations;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// Temporary stays abroad (udlandsbekendtgørelsen, BEK nr. 1296 af 15. december 2009, cited by Ballerup and Lejre):
/// a stay of up to one month keeps the hours usable on notice; a longer stay needs an application decided before
/// leaving. Still 15 hours a month. Sessions during a stay are marked; sessions in a longer stay that was not
/// approved are refused with the reason.
/// </summary>
public static class StayAbroadEndpoints
{
    public sealed record StayRequest([property: Required] string? From, [property: Required] string? To, [property: Required] string? Country, string? NotifiedOn);
    public sealed record StayDecisionRequest(bool? Approve, string? DecidedOn, string? Note);

    /// <summary>The rule's source, as the pages and errors cite it.</summary>
    public const string Source = "Bekendtgørelse nr. 1296 af 15. december 2009 om ydelser efter lov om social service under midlertidige ophold i udlandet";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/grants/{id:guid}/stays-abroad", List).WithTags("Bevillinger").RequireAuthorization().WithName("ListStaysAbroad").Produces<IReadOnlyList<StayView>>();
        app.MapPost("/api/grants/{id:guid}/stays-abroad", Create).WithTags("Bevillinger").RequireAuthorization()
            .WithName("NotifyStayAbroad").Produces<StayView>(201).ProducesProblem(409);
        app.MapPost("/api/stays-abroad/{id:guid}/decision", Decide).WithTags("Bevillinger").RequireAuthorization()
            .WithName("DecideStayAbroad").Produces<StayView>().ProducesProblem(409);
    }

    /// <summary>True when the stay is longer than one month and so needs an application decided before leaving.</summary>
    public static bool NeedsApplication(LocalDate from, LocalDate to) => to >= from.PlusMonths(1);

    /// <summary>A stay's status in the citizen's and the caseworker's words.</summary>
    public static string StatusText(string status) => status switch
    {
        "notified" => "Meddelt (op til en måned)",
        "applied" => "Ansøgt, afventer afgørelse",
        "approved" => "Godkendt",
        _ => "Afslået",
    };

    public sealed record StayView(Guid Id, Guid GrantId, string From, string To, string Country, string NotifiedOn, string Status, string StatusText,
        string? DecidedOn, string? DecisionNote);

    private static StayView View(StayAbroad s) => new(s.Id, s.GrantId, s.From.Iso(), s.To.Iso(), s.Country, s.NotifiedOn.Iso(), s.Status,
        StatusText(s.Status), s.DecidedOn?.Iso(), s.DecisionNote);

    private static async Task<IResult> List(Guid id, HttpContext http, Access access, LedsagDb db, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Citizen, Role.Companion, Role.Coordinator);
        var g = await access.GrantAsync(actor, id, ct);
        var rows = await db.StaysAbroad.AsNoTracking().Where(s => s.GrantId == g.Id).OrderBy(s => s.From).ToListAsync(ct);
        return Results.Ok(rows.Select(View));
    }

    /// <summary>The citizen (or the caseworker on their behalf) gives notice of a stay, or applies for a stay over a month.</summary>
    public static async Task<IResult> Create(Guid id, StayRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit, Today today,
        KeyedLocks locks, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Citizen);
        using var grantLock = await locks.AcquireAsync(id, ct);
        var g = await access.GrantAsync(actor, id, ct);
        GrantEndpoints.RequireNotReplaced(g);
        var v = new Validation();
        var from = v.Date("from", body?.From);
        var to = v.Date("to", body?.To);
        var country = v.Name("country", body?.Country, max: 100);
        // A citizen gives notice today; a caseworker may record notice given earlier (by phone, by letter).
        var notified = actor.Role == Role.Citizen ? today.Date : v.Date("notifiedOn", body?.NotifiedOn, required: false) ?? today.Date;
        if (notified > today.Date)
        {
            v.Add("notifiedOn", "Beskeden kan ikke være givet i fremtiden.");
        }
        if (from is { } f && to is { } t)
        {
            if (t < f)
            {
                v.Add("to", "Hjemrejsen skal ligge samme dag som eller efter udrejsen.");
            }
            else if (t > f.PlusYears(1))
            {
                v.Add("to", "Et midlertidigt ophold kan højst registreres for et år ad gangen.");
            }
            if (f < g.Start || (g.End is { } end && t > end))
            {
                v.Add("from", "Opholdet skal ligge inden for bevillingens periode.");
            }
            if (notified > f)
            {
                v.Add("notifiedOn", NeedsApplication(f, t)
                    ? $"Et ophold på mere end en måned skal søges, før du rejser ({Source})."
                    : $"Kommunen skal have besked, før du rejser ({Source}).");
            }
        }
        v.ThrowIfInvalid();
        if (await db.StaysAbroad.AnyAsync(s => s.GrantId == g.Id && s.Status != "refused" && s.From <= to && s.To >= from, ct))
        {
            throw ProblemException.Conflict("Der er allerede et udlandsophold i den periode.", "STAY_OVERLAPS");
        }
        // Stays that follow on from each other are one stay: three notices of a month each are three months abroad.
        var (first, last) = (from!.Value, to!.Value);
        var others = await db.StaysAbroad.AsNoTracking().Where(s => s.GrantId == g.Id && s.Status != "refused").ToListAsync(ct);
        for (var grown = true; grown;)
        {
            grown = false;
            foreach (var o in others.Where(o => o.To.PlusDays(1) >= first && o.From.PlusDays(-1) <= last && (o.From < first || o.To > last)))
            {
                (first, last, grown) = (o.From < first ? o.From : first, o.To > last ? o.To : last, true);
            }
        }
        var stay = new StayAbroad
        {
            MunicipalityId = g.MunicipalityId, GrantId = g.Id, CitizenId = g.CitizenId, From = from.Value, To = to.Value, Country = country!,
            NotifiedOn = notified, Status = NeedsApplication(first, last) ? "applied" : "notified", CreatedAt = today.Now,
        };

        db.StaysAbroad.Add(stay);
        audit.Add(db, actor, stay.Status == "applied" ? "apply" : "notify", "stay_abroad", stay.Id.ToString());
        await audit.SaveAsync(db, ct);
        return Results.Created($"/api/grants/{g.Id}/stays-abroad", View(stay));
    }

    /// <summary>The caseworker decides an application for a stay over a month, before the citizen leaves; the decision goes out as a letter with klagevejledning.</summary>
    public static async Task<IResult> Decide(Guid id, StayDecisionRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit,
        Standards standards, Today today, Letters.LetterService letters, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        var stay = await db.StaysAbroad.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (stay is null || stay.MunicipalityId != actor.MunicipalityId)
        {
            throw await Access.DeniedAsync(db, audit, actor, "stay_abroad", id, ct);
        }
        var g = await access.GrantAsync(actor, stay.GrantId, ct);
        var v = new Validation();
        var decided = v.Date("decidedOn", body?.DecidedOn);
        var note = v.Text("note", body?.Note, required: body?.Approve == false, max: 2000);
        if (body?.Approve is null)
        {
            v.Add("approve", "Vælg, om opholdet godkendes eller afslås.");
        }
        if (decided > today.Date)
        {
            v.Add("decidedOn", "En afgørelse kan ikke være truffet i fremtiden.");
        }
        else if (decided < stay.NotifiedOn)
        {
            v.Add("decidedOn", $"Afgørelsen kan ikke være truffet, før ansøgningen kom {Letters.Danish.Date(stay.NotifiedOn)}.");
        }
        else if (body?.Approve == true && decided > stay.From)
        {
            v.Add("decidedOn", $"Et ophold på mere end en måned skal være godkendt før udrejsen den {Letters.Danish.Date(stay.From)} ({Source}).");
        }
        v.ThrowIfInvalid();
        if (stay.Status != "applied")
        {
            throw ProblemException.Conflict("Opholdet er allerede afgjort eller kræver ingen afgørelse.", "STAY_DECIDED");
        }
        stay.Status = body!.Approve == true ? "approved" : "refused";
        stay.DecidedBy = actor.UserId;
        stay.DecidedOn = decided;
        stay.DecisionNote = note;
        var standard = standards.For(g.MunicipalityId);
        var citizen = await db.Citizens.FirstAsync(z => z.Id == g.CitizenId, ct);
        var period = $"{Letters.Danish.Date(stay.From)} til {Letters.Danish.Date(stay.To)}";
        var (subject, text) = stay.Status == "approved"
            ? ("Afgørelse: Du kan tage ledsageordningen med til udlandet",
               $"## Afgørelse\nDu kan bruge dine ledsagetimer under dit ophold i {stay.Country} fra {period}. Du har stadig {Letters.Danish.Hours(g.MinutesPerMonth / 60m)} om måneden." +
               (note is null ? "" : $"\n\n## Begrundelse\n{note}") +
               "\n\nUdgifter til ledsagerens rejse dækkes kun i ganske særlige tilfælde.")
            : ("Afgørelse: Afslag på at tage ledsageordningen med til udlandet",
               $"## Afgørelse\nDu kan ikke bruge dine ledsagetimer under dit ophold i {stay.Country} fra {period}.\n\n## Begrundelse\n{note}");
        text += $"\n\n## Lovgrundlag\n{Source}.\n\n{Letters.LetterTexts.Klagevejledning(standard, decided!.Value)}";
        letters.Add(db, citizen, g.CaseId, "stay_abroad_decision", subject, text, decided: decided);
        audit.Add(db, actor, stay.Status == "approved" ? "approve" : "refuse", "stay_abroad", id.ToString());
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw ProblemException.Conflict("Opholdet er allerede afgjort.", "STAY_DECIDED");
        }
        return Results.Ok(View(stay));
    }

    /// <summary>
    /// The stay a session on <paramref name="date"/> falls in, and whether it may be registered: refused (422 naming the
    /// field) when it is marked abroad without notice, or falls in a stay over a month that was not approved.
    /// </summary>
    public static async Task<StayAbroad?> CheckSessionAsync(LedsagDb db, Guid grantId, LocalDate date, bool? abroad, CancellationToken ct)
    {
        var stay = await db.StaysAbroad.AsNoTracking().Where(s => s.GrantId == grantId && s.From <= date && s.To >= date)
            .OrderBy(s => s.Status == "refused").FirstOrDefaultAsync(ct);
        if (abroad == false)
        {
            return null; // the session took place at home, e.g. before leaving or after an early return
        }
        if (stay is null)
        {
            if (abroad == true)
            {
                throw new ProblemException(StatusCodes.Status422UnprocessableEntity,
                    "Der er ikke givet besked om et udlandsophold på den dato. Borgeren skal give kommunen besked, før rejsen.",
                    new Dictionary<string, string[]> { ["abroad"] = [Source] }, "STAY_ABROAD_NOT_NOTIFIED");
            }
            return null;
        }
        if (stay.Status is "applied" or "refused")
        {
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity,
                $"Borgeren er i udlandet fra {Letters.Danish.Date(stay.From)} til {Letters.Danish.Date(stay.To)}. Et ophold på mere end en måned kræver, at kommunen har godkendt det før udrejsen, og det er ikke sket. Var ledsagelsen i Danmark, så registrér den som ledsagelse herhjemme.",
                new Dictionary<string, string[]> { ["date"] = [Source] }, "STAY_ABROAD_NOT_APPROVED");
        }
        return stay;
    }
}
