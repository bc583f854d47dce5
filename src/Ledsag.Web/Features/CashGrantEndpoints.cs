using System.ComponentModel.DataAnnotations;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// The cash grant (kontant tilskud, SEL § 97 stk. 5; BEK 235/2012 § 11), where the standard offers it (Ballerup,
/// Brønderslev): the citizen chooses it, the caseworker records that the citizen can administer it, and the
/// citizen employs the companion. The grant's hours are paid at the year's hourly amount (entered by an
/// administrator with its source; a missing amount is an error naming it), capped at the municipality's own cost
/// per hour, quarterly in a payment file, each quarter once. Hours are saved and lapse as under the hours grant
/// (BEK § 6 stk. 2): the citizen's sessions draw on the same ledger. A yearly statement is exported for the tax
/// authority.
/// </summary>
public static class CashGrantEndpoints
{
    public sealed record ChooseRequest([property: Required] string? ChosenOn, [property: Required] bool? CanAdminister, [property: Required] string? Assessment);
    public sealed record CashRateRequest([property: Required] int? Year, [property: Required] decimal? HourlyAmount, [property: Required] decimal? OwnCostPerHour, [property: Required] string? Source);
    public sealed record QuarterRequest([property: Required] int? Year, [property: Required] int? Quarter);
    public sealed record CashGrantChosen(Guid Id, string Form, string? CashChosenOn);
    public sealed record CashRateView(int Year, decimal HourlyAmount, decimal OwnCostPerHour, decimal Rate, string Source);

    private const string Law = "Serviceloven § 97 stk. 5 og bekendtgørelse nr. 235 af 9. marts 2012 § 11";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/grants/{id:guid}/cash-grant", Choose).WithTags("Bevillinger").RequireAuthorization()
            .WithName("ChooseCashGrant").Produces<CashGrantChosen>().ProducesProblem(409);
        app.MapGet("/api/cash-grant-rates", Rates).WithTags("Økonomi").RequireAuthorization().WithName("ListCashGrantRates").Produces<IReadOnlyList<CashRateView>>();
        app.MapPost("/api/admin/cash-grant-rates", EnterRate).WithTags("Økonomi").RequireAuthorization()
            .WithName("EnterCashGrantRate").Produces<CashRateView>(201).Produces<CashRateView>().ProducesProblem(409);
        app.MapPost("/api/cash-grants/payments", Pay).WithTags("Økonomi").RequireAuthorization()
            .WithName("PayCashGrants").Produces(200, contentType: "text/csv").ProducesProblem(409).ProducesProblem(422);
        app.MapGet("/api/cash-grants/statement", Statement).WithTags("Økonomi").RequireAuthorization()
            .WithName("GetCashGrantStatement").Produces(200, contentType: "text/csv").Produces(200, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    }

    /// <summary>The citizen's choice of the cash grant, recorded by the caseworker with the assessment that the citizen can administer it.</summary>
    public static async Task<IResult> Choose(Guid id, ChooseRequest? body, HttpContext http, Access access, LedsagDb db, AuditLog audit, Standards standards,
        Today today, KeyedLocks locks, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator);
        using var grantLock = await locks.AcquireAsync(id, ct);
        var g = await access.GrantAsync(actor, id, ct);
        GrantEndpoints.RequireNotReplaced(g);
        var standard = standards.For(g.MunicipalityId);
        var v = new Validation();
        var chosen = v.Date("chosenOn", body?.ChosenOn);
        var assessment = v.Text("assessment", body?.Assessment, max: 2000);
        if (chosen > today.Date)
        {
            v.Add("chosenOn", "Valget kan ikke ligge i fremtiden.");
        }
        else if (chosen < g.Start)
        {
            v.Add("chosenOn", "Det kontante tilskud kan tidligst gælde fra bevillingens start.");
        }
        if (body?.CanAdminister != true)
        {
            v.Add("canAdminister", $"Borgeren skal selv kunne administrere ordningen, herunder ansætte ledsageren og tilrettelægge ordningen ({Law}).");
        }
        var offered = standard.Get<bool>(Parameters.CashGrantOffered, chosen ?? today.Date);
        if (!offered.Value)
        {
            v.Add("chosenOn", $"{standard.Name} tilbyder ikke kontant tilskud ({offered.Source}).");
        }
        v.ThrowIfInvalid();
        if (g.Form == "cash")
        {
            throw ProblemException.Conflict("Bevillingen udbetales allerede som kontant tilskud.", "ALREADY_CASH");
        }
        g.Form = "cash";
        g.CashChosenOn = chosen;
        // The citizen now employs the companion: the municipality's or a provider's companions stop accompanying under this grant.
        var citizenEmployed = db.Companions.Where(k => k.Employer == "cash_grant").Select(k => k.Id);
        foreach (var a in await db.Assignments.Where(a => a.CitizenId == g.CitizenId && a.EndedOn == null && !citizenEmployed.Contains(a.CompanionId)).ToListAsync(ct))
        {
            a.EndedOn = chosen;
        }
        g.CashAdministrationAssessment = assessment;
        g.Version++;
        audit.Add(db, actor, "cash-grant", "grant", g.Id.ToString());
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw ProblemException.Conflict("Bevillingen blev ændret samtidig. Hent den igen.", "GRANT_CHANGED");
        }
        return Results.Ok(new CashGrantChosen(g.Id, g.Form, g.CashChosenOn?.Iso()));
    }

    private static async Task<IResult> Rates(HttpContext http, LedsagDb db, CancellationToken ct)
    {
        var rows = await RatesAsync(Access.Require(http), db, ct);
        return Results.Ok(rows.Select(RateView));
    }

    /// <summary>The municipality's hourly amounts by year; the API and the administrator's page both come here.</summary>
    public static async Task<List<CashGrantRate>> RatesAsync(Actor actor, LedsagDb db, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator, Role.Finance, Role.Caseworker);
        return await db.CashGrantRates.AsNoTracking().Where(r => r.MunicipalityId == actor.MunicipalityId).OrderBy(r => r.Year).ToListAsync(ct);
    }

    private static async Task<IResult> EnterRate(CashRateRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        var (rate, created) = await EnterRateAsync(Access.Require(http), body, db, audit, standards, today, ct);
        var view = RateView(rate);
        return created ? Results.Created("/api/cash-grant-rates", view) : Results.Ok(view);
    }

    private static CashRateView RateView(CashGrantRate r) => new(r.Year, r.HourlyAmount, r.OwnCostPerHour, Math.Min(r.HourlyAmount, r.OwnCostPerHour), r.Source);

    /// <summary>An administrator enters a year's hourly amount and the municipality's own cost per hour, with the source; the API and the administrator's page both come here.</summary>
    public static async Task<(CashGrantRate Rate, bool Created)> EnterRateAsync(Actor actor, CashRateRequest? body, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        var v = new Validation();
        if (body?.Year is not (>= 2000 and <= 2100)) { v.Add("year", "Angiv et år fra 2000 til 2100."); }
        if (body?.HourlyAmount is not (>= 1 and < 10_000)) { v.Add("hourlyAmount", "Timebeløbet skal være mindst 1 kr. og under 10.000 kr."); }
        else if (decimal.Round(body.HourlyAmount.Value, 2) != body.HourlyAmount) { v.Add("hourlyAmount", "Skriv beløbet i hele øre (højst to decimaler)."); }
        if (body?.OwnCostPerHour is not (>= 1 and < 10_000)) { v.Add("ownCostPerHour", "Kommunens egen udgift pr. time skal være mindst 1 kr. og under 10.000 kr."); }
        else if (decimal.Round(body.OwnCostPerHour.Value, 2) != body.OwnCostPerHour) { v.Add("ownCostPerHour", "Skriv beløbet i hele øre (højst to decimaler)."); }
        var source = v.Text("source", body?.Source, max: 400);
        v.ThrowIfInvalid();
        var standard = standards.For(actor.MunicipalityId);
        var offered = standard.Get<bool>(Parameters.CashGrantOffered, new LocalDate(body!.Year!.Value, 12, 31));
        if (!offered.Value)
        {
            throw ProblemException.Invalid("year", $"{standard.Name} tilbyder ikke kontant tilskud ({offered.Source}).");
        }
        var exists = new ProblemException(StatusCodes.Status409Conflict, $"Timebeløbet for {body.Year} er allerede brugt til udbetalinger og kan ikke ændres.",
            new Dictionary<string, string[]> { ["year"] = [$"Der er udbetalt kontant tilskud for {body.Year} med det indtastede timebeløb."] }, "RATE_IN_USE");
        if (await db.CashGrantPayments.AnyAsync(p => p.MunicipalityId == actor.MunicipalityId && p.Year == body.Year, ct))
        {
            throw exists; // what was paid was paid at this rate: a correction would make the statement disagree with the payments
        }
        // Until something is paid at it, an amount entered wrongly can be corrected (audited).
        var rate = await db.CashGrantRates.FirstOrDefaultAsync(r => r.MunicipalityId == actor.MunicipalityId && r.Year == body.Year, ct);
        var created = rate is null;
        rate ??= db.CashGrantRates.Add(new CashGrantRate { MunicipalityId = actor.MunicipalityId, Year = body.Year.Value, Source = source! }).Entity;
        (rate.HourlyAmount, rate.OwnCostPerHour, rate.Source, rate.EnteredBy, rate.EnteredAt) = (body.HourlyAmount!.Value, body.OwnCostPerHour!.Value, source!, actor.UserId, today.Now);
        audit.Add(db, actor, created ? "enter-rate" : "correct-rate", "cash_grant_rate", body.Year.ToString(), $"{rate.HourlyAmount} kr./time, egen udgift {rate.OwnCostPerHour} kr./time: {source}");
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw ProblemException.Conflict($"Timebeløbet for {body.Year} blev indtastet samtidig af en anden. Hent det igen.", "RATE_EXISTS");
        }
        return (rate, created);
    }

    /// <summary>The hours a cash grant gives in a quarter: each month in which the cash grant applies on some day gives the month's hours.</summary>
    public static decimal QuarterHours(Grant g, int year, int quarter)
    {
        var from = g.CashChosenOn ?? g.Start;
        var hours = 0m;
        for (var month = ((quarter - 1) * 3) + 1; month <= quarter * 3; month++)
        {
            var first = new LocalDate(year, month, 1);
            var last = first.PlusMonths(1).PlusDays(-1);
            if (from <= last && (g.End is null || g.End >= first))
            {
                hours += g.MinutesPerMonth / 60m;
            }
        }
        return hours;
    }

    /// <summary>
    /// The quarter's payment file: every cash grant's quarter not yet paid, at the year's rate (the hourly amount,
    /// capped at the municipality's own cost). Paid in advance: a quarter can be paid from 14 days before it starts.
    /// Each quarter of a grant is paid once (unique index), also when two runs race; a run with nothing to pay stores no file.
    /// </summary>
    private static async Task<IResult> Pay(QuarterRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        return Results.Text((await PayQuarterAsync(actor, body?.Year, body?.Quarter, db, audit, today, ct)).Csv, "text/csv; charset=utf-8");
    }

    /// <summary>
    /// What the quarter's payment file would hold now (every cash grant's quarter not yet paid), built by the same code as the file.
    /// Reads only: the finance page's preview shows it. A quarter too early or a missing hourly amount is the same error as when paying.
    /// </summary>
    public static async Task<string> PreviewQuarterAsync(Actor actor, int? year, int? quarter, LedsagDb db, Today today, CancellationToken ct)
    {
        var (y, q, perHour) = await QuarterAsync(actor, year, quarter, db, today, ct);
        return (await QuarterRowsAsync(actor, y, q, perHour, db, ct)).Csv;
    }

    /// <summary>The quarter's payment file, and the stored file it made (null when every grant's quarter was paid already: no file is kept). The API and the finance page both come here.</summary>
    public static async Task<(ExportFile? File, string Csv)> PayQuarterAsync(Actor actor, int? year, int? quarter, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        var (y, q, perHour) = await QuarterAsync(actor, year, quarter, db, today, ct);
        for (var attempt = 0; ; attempt++)
        {
            var (rows, csv) = await QuarterRowsAsync(actor, y, q, perHour, db, ct);
            if (rows.Count == 0)
            {
                return (null, csv);
            }
            var count = await db.Exports.CountAsync(e => e.MunicipalityId == actor.MunicipalityId && e.Kind == "cash_grant_payments" && e.Period.StartsWith($"{y}-K{q}/"), ct);
            var file = new ExportFile
            {
                MunicipalityId = actor.MunicipalityId, Kind = "cash_grant_payments", Period = $"{y}-K{q}/{count + 1}", CreatedAt = today.Now,
                CreatedBy = actor.UserId, Content = csv,
            };
            db.Exports.Add(file);
            foreach (var (g, hours) in rows)
            {
                db.CashGrantPayments.Add(new CashGrantPayment
                {
                    MunicipalityId = actor.MunicipalityId, GrantId = g.Id, CitizenId = g.CitizenId, Year = y, Quarter = q, Hours = hours,
                    Rate = perHour, Amount = hours * perHour, PaymentExportId = file.Id, CreatedAt = today.Now,
                });
            }
            audit.Add(db, actor, "export", "cash_grant_payments", file.Id.ToString(), $"{rows.Count} udbetalinger");
            try
            {
                await audit.SaveAsync(db, ct);
                return (file, csv);
            }
            catch (DbUpdateException) when (attempt < 50)
            {
                // A parallel run paid some of these quarters (or took this file number): build again from what is left.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>The quarter asked for, checked: paid in advance, from 14 days before it starts, at the year's rate (the hourly amount, capped at the municipality's own cost).</summary>
    private static async Task<(int Year, int Quarter, decimal PerHour)> QuarterAsync(Actor actor, int? year, int? quarter, LedsagDb db, Today today, CancellationToken ct)
    {
        var v = new Validation();
        if (year is not (>= 2000 and <= 2100)) { v.Add("year", "Angiv et år."); }
        if (quarter is not (>= 1 and <= 4)) { v.Add("quarter", "Kvartalet skal være 1, 2, 3 eller 4."); }
        v.ThrowIfInvalid();
        var quarterStart = new LocalDate(year!.Value, ((quarter!.Value - 1) * 3) + 1, 1);
        if (quarterStart > today.Date.PlusDays(14))
        {
            throw ProblemException.Invalid("quarter", $"Kvartalet begynder {Letters.Danish.Date(quarterStart)}; det kan tidligst udbetales 14 dage før.");
        }
        var rate = await db.CashGrantRates.AsNoTracking().FirstOrDefaultAsync(r => r.MunicipalityId == actor.MunicipalityId && r.Year == year, ct)
            ?? throw new ProblemException(StatusCodes.Status422UnprocessableEntity,
                $"Timebeløbet for kontant tilskud {year} er ikke registreret i Ledsag; en administrator skal indtaste det, før der kan udbetales.",
                new Dictionary<string, string[]> { ["year"] = [$"Timebeløb for kontant tilskud {year} mangler ({Law})."] }, "CASH_GRANT_RATE_MISSING");
        return (year.Value, quarter.Value, Math.Min(rate.HourlyAmount, rate.OwnCostPerHour));
    }

    /// <summary>Every cash grant's quarter not yet paid, with its hours, and the file's text.</summary>
    private static async Task<(List<(Grant Grant, decimal Hours)> Rows, string Csv)> QuarterRowsAsync(Actor actor, int year, int quarter, decimal perHour, LedsagDb db,
        CancellationToken ct)
    {
        var quarterStart = new LocalDate(year, ((quarter - 1) * 3) + 1, 1);
        var quarterEnd = quarterStart.PlusMonths(3).PlusDays(-1);
        var paid = db.CashGrantPayments.Where(p => p.Year == year && p.Quarter == quarter).Select(p => p.GrantId);
        var grants = await db.Grants.Where(g => g.MunicipalityId == actor.MunicipalityId && g.Form == "cash" && g.Start <= quarterEnd
                && (g.End == null || g.End >= quarterStart) && !paid.Contains(g.Id))
            .Join(db.Citizens, g => g.CitizenId, z => z.Id, (g, z) => new { g, z.Cpr, z.Name }).ToListAsync(ct);
        var rows = grants.Select(x => (x.g, x.Cpr, x.Name, Hours: QuarterHours(x.g, year, quarter))).Where(x => x.Hours > 0).OrderBy(x => x.Name).ToList();
        var csv = Exports.Csv(new ExportSheet("Kontant tilskud", ["cpr", "navn", "kvartal", "timer", "timebeløb", "beløb", "tekst"],
            rows.Select(x => (IReadOnlyList<object?>)[x.Cpr, x.Name, $"{year} K{quarter}", x.Hours, perHour, x.Hours * perHour,
                $"Kontant tilskud til ledsagelse {quarter}. kvartal {year}"]).ToList()));
        return (rows.Select(x => (x.g, x.Hours)).ToList(), csv);
    }

    /// <summary>The yearly statement of cash grants paid, per citizen, for the tax authority (CSV or xlsx).</summary>
    private static async Task<IResult> Statement(HttpContext http, LedsagDb db, AuditLog audit, int? year, string? format, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        if (year is not (>= 2000 and <= 2100))
        {
            throw ProblemException.Invalid("year", "Angiv et år fra 2000 til 2100.");
        }
        if (format is not (null or "csv" or "xlsx"))
        {
            throw ProblemException.Invalid("format", "Vælg csv eller xlsx.");
        }
        var payments = await db.CashGrantPayments.AsNoTracking().Where(p => p.MunicipalityId == actor.MunicipalityId && p.Year == year)
            .Join(db.Citizens, p => p.CitizenId, z => z.Id, (p, z) => new { p, z.Cpr, z.Name }).ToListAsync(ct);
        var rows = payments.GroupBy(x => (x.Cpr, x.Name)).OrderBy(x => x.Key.Name).Select(x => (IReadOnlyList<object?>)
        [
            x.Key.Cpr, x.Key.Name, year,
            .. Enumerable.Range(1, 4).Select(q => (object?)x.Where(y => y.p.Quarter == q).Sum(y => y.p.Amount)),
            x.Sum(y => y.p.Hours), x.Sum(y => y.p.Amount),
        ]).ToList();
        var sheet = new ExportSheet($"Kontant tilskud {year}", ["cpr", "navn", "år", "1. kvartal", "2. kvartal", "3. kvartal", "4. kvartal", "timer", "i alt"], rows);
        audit.Add(db, actor, "export", "cash_grant_statement", year.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await audit.SaveAsync(db, ct);
        var name = $"Årsopgørelse kontant tilskud {year}";
        if (format == "xlsx")
        {
            using var stream = new MemoryStream();
            await Exports.XlsxAsync(stream, [sheet], ct);
            return Results.File(stream.ToArray(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"{name}.xlsx");
        }
        return Results.File(System.Text.Encoding.UTF8.GetBytes(Exports.Csv(sheet)), "text/csv; charset=utf-8", $"{name}.csv");
    }
}
