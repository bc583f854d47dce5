using System.ComponentModel.DataAnnotations;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// The yearly subsidy (§ 97 stk. 7): claims with expenses and receipts, the caseworker's decision capped
/// at the year's amount, the NemKonto payment file; rates an administrator enters; payroll exports of
/// companion hours, locked once exported, with corrections as adjustment lines in the next export.
/// </summary>
public static class MoneyEndpoints
{
    public sealed record Receipt(string? FileName, string? ContentType, string? Base64);
    public sealed record Expense(string? Date, string? What, decimal? Amount, Receipt? Receipt);
    public sealed record ClaimRequest(Guid? CitizenId, [property: Required] int? Year, [property: Required] IReadOnlyList<Expense>? Expenses);
    /// <summary>A decision on a claim: approve (the claimed amount up to the year's amount, or <paramref name="Amount"/>, a part of it, with a reason in <paramref name="Note"/>) or refuse with a reason.</summary>
    public sealed record DecideRequest(string? DecidedOn, bool? Approve, string? Note, decimal? Amount = null);
    public sealed record RateRequest([property: Required] int? Year, [property: Required] decimal? Amount, [property: Required] string? Source);
    public sealed record YearRequest([property: Required] int? Year);
    public sealed record PeriodRequest([property: Required] string? Period);

    public const int MaxReceiptBytes = 5 * 1024 * 1024;

    private static readonly Dictionary<string, byte[]> ReceiptTypes = new()
    {
        ["application/pdf"] = "%PDF"u8.ToArray(),
        ["image/jpeg"] = [0xFF, 0xD8, 0xFF],
        ["image/png"] = [0x89, 0x50, 0x4E, 0x47],
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var claims = app.MapGroup("/api/subsidy-claims").WithTags("Tilskud (§ 97 stk. 7)").RequireAuthorization();
        claims.MapPost("/", Claim).WithName("ClaimSubsidy").Produces<ClaimView>(201).ProducesProblem(409);
        claims.MapGet("/", ListClaims).WithName("ListSubsidyClaims").Produces<IReadOnlyList<ClaimView>>();
        claims.MapPost("/{id:guid}/decide", Decide).WithName("DecideSubsidyClaim").Produces<ClaimView>().ProducesProblem(409).ProducesProblem(422);
        claims.MapGet("/{id:guid}/receipt", ReceiptFile).WithName("GetSubsidyReceipt").Produces(200, contentType: "application/octet-stream");
        app.MapPost("/api/admin/subsidy-rates", EnterRate).WithTags("Tilskud (§ 97 stk. 7)").RequireAuthorization()
            .WithName("EnterSubsidyRate").Produces<SubsidyRateView>(201).ProducesProblem(409);
        app.MapGet("/api/subsidy-rates/{year:int}", GetRate).WithTags("Tilskud (§ 97 stk. 7)").RequireAuthorization().WithName("GetSubsidyRate").Produces<SubsidyRateView>();
        var finance = app.MapGroup("/api/finance").WithTags("Økonomi").RequireAuthorization();
        finance.MapPost("/subsidy-payments", PaymentFile).WithName("PaySubsidies").Produces(200, contentType: "text/csv");
        finance.MapPost("/payroll-exports", Payroll).WithName("ExportPayroll").Produces(200, contentType: "text/csv");
        finance.MapGet("/payroll-exports", ListExports).WithName("ListPayrollExports").Produces<IReadOnlyList<ExportView>>();
        finance.MapGet("/exports/{id:guid}", Download).WithName("DownloadExport").Produces(200, contentType: "text/csv");
    }

    /// <summary>
    /// The § 97 stk. 7 amount a municipality pays for a year: its own fixed amount where its standard pays one
    /// (Ballerup) and its administrator has entered it; else national.yaml's; else the amount this municipality's
    /// administrator entered for a year national.yaml does not know. Null where none is known.
    /// </summary>
    public static async Task<(decimal Amount, string Source)?> SubsidyAmountAsync(LedsagDb db, MunicipalStandard standard, int year, CancellationToken ct)
    {
        var entered = await db.SubsidyRates.AsNoTracking().FirstOrDefaultAsync(r => r.MunicipalityId == standard.Id && r.Year == year, ct);
        if (entered is not null && OwnAmount(standard, year))
        {
            return (entered.Amount, entered.Source);
        }
        if (standard.National.SubsidyMax(year) is { } known)
        {
            return (known.Amount, known.Source);
        }
        return entered is null ? null : (entered.Amount, entered.Source);
    }

    /// <summary>Where the standard asks for documented expenses (Gribskov), the reason a receipt is required, with its source; else null.</summary>
    private static string? Documented(MunicipalStandard standard, LocalDate on) =>
        standard.Get<string>(Parameters.SubsidyBasis, on) is { Value: "documented_expenses" } basis
            ? $"Vedlæg en kvittering: {standard.Name} kræver, at udgifterne er dokumenteret ({basis.Source})."
            : null;

    /// <summary>Whether the municipality's standard pays its own fixed yearly amount (Ballerup: «et fast beløb årligt»).</summary>
    private static bool OwnAmount(MunicipalStandard standard, int year) =>
        standard.Get<string>(Parameters.SubsidyBasis, new LocalDate(year, 12, 31)).Value == "fixed_amount";

    private static async Task<IResult> Claim(ClaimRequest? body, HttpContext http, LedsagDb db, Access access, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        var (claim, expenses) = await ClaimAsync(Access.Require(http), body, db, access, audit, standards, today, ct);
        return Results.Created($"/api/subsidy-claims/{claim.Id}", ToClaimView(claim, expenses));
    }

    /// <summary>A citizen's (or a caseworker's on their behalf) claim for the yearly subsidy; the API and the citizen's page both come here.</summary>
    public static async Task<(SubsidyClaim Claim, List<SubsidyExpense> Expenses)> ClaimAsync(Actor actor, ClaimRequest? body, LedsagDb db, Access access,
        AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Citizen, Role.Caseworker, Role.Administrator);
        var v = new Validation();
        var citizenId = actor.Role == Role.Citizen ? actor.CitizenId : body?.CitizenId;
        if (citizenId is null) { v.Add("citizenId", "Skal udfyldes."); }
        var year = body?.Year;
        if (year is null || year < 2000 || year > today.Date.Year) { v.Add("year", "Angiv et år fra 2000 til i år."); }
        var expenses = new List<SubsidyExpense>();
        if (body?.Expenses is not { Count: > 0 }) { v.Add("expenses", "Angiv mindst én udgift."); }
        foreach (var (e, i) in (body?.Expenses ?? []).Select((e, i) => (e, i)))
        {
            var date = v.Date($"expenses[{i}].date", e?.Date);
            if (date is not null && year is not null && date.Value.Year != year) { v.Add($"expenses[{i}].date", $"Udgiften skal ligge i {year}."); }
            if (date > today.Date) { v.Add($"expenses[{i}].date", "Datoen kan ikke ligge i fremtiden."); }
            var what = v.Text($"expenses[{i}].what", e?.What, max: 200);
            if (e?.Amount is not (> 0 and < 1_000_000) || decimal.Round(e.Amount.Value, 2) != e.Amount) { v.Add($"expenses[{i}].amount", "Beløbet skal være positivt og i kroner og øre."); }
            var (file, type, bytes) = ReadReceipt(v, $"expenses[{i}].receipt", e?.Receipt);
            if (e?.Receipt is null && Documented(standards.For(actor.MunicipalityId), today.Date) is { } rule)
            {
                v.Add($"expenses[{i}].receipt", rule);
            }
            expenses.Add(new SubsidyExpense { Date = date ?? default, What = what ?? "", Amount = e?.Amount ?? 0, ReceiptFileName = file, ReceiptContentType = type, Receipt = bytes });
        }
        v.ThrowIfInvalid();
        var citizen = await access.CitizenAsync(actor, citizenId!.Value, ct);
        var first = new LocalDate(year!.Value, 1, 1);
        var last = new LocalDate(year.Value, 12, 31);
        if (!await db.Grants.AnyAsync(g => g.CitizenId == citizen.Id && g.Start <= last && (g.End == null || g.End >= first), ct))
        {
            throw ProblemException.Invalid("year", $"Borgeren havde ikke en bevilling af ledsageordning i {year}.");
        }
        if (await db.SubsidyClaims.AnyAsync(c => c.CitizenId == citizen.Id && c.Year == year && c.Status != "rejected", ct))
        {
            throw ProblemException.Conflict($"Der er allerede søgt tilskud for {year}; tilskuddet søges én gang om året.", "ALREADY_CLAIMED");
        }
        var claim = new SubsidyClaim
        {
            MunicipalityId = citizen.MunicipalityId, CitizenId = citizen.Id, Year = year.Value, SubmittedOn = today.Date, Status = "submitted",
            ClaimedAmount = expenses.Sum(e => e.Amount),
        };
        db.SubsidyClaims.Add(claim);
        foreach (var e in expenses)
        {
            e.ClaimId = claim.Id;
            db.SubsidyExpenses.Add(e);
        }
        audit.Add(db, actor, "claim", "subsidy", claim.Id.ToString(), $"{year}: {claim.ClaimedAmount} kr.");
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            // A parallel claim for the same year went first: the unique index keeps it to one.
            throw ProblemException.Conflict($"Der er allerede søgt tilskud for {year}; tilskuddet søges én gang om året.", "ALREADY_CLAIMED");
        }
        return (claim, expenses);
    }

    private static (string? File, string? Type, byte[]? Bytes) ReadReceipt(Validation v, string field, Receipt? r)
    {
        if (r is null)
        {
            return (null, null, null);
        }
        // Only the name itself is kept (no folders, no control characters): it is shown, never used as a path.
        var name = v.Text($"{field}.fileName", r.FileName, max: 200) is { } given
            ? new string(given.Replace('\\', '/').Split('/')[^1].Where(ch => !char.IsControl(ch)).ToArray()).Trim()
            : null;
        if (string.IsNullOrEmpty(r.Base64) || r.Base64.Length > (MaxReceiptBytes / 3 * 4) + 4)
        {
            v.Add($"{field}.base64", "Kvitteringen mangler eller er større end 5 MB.");
            return (null, null, null);
        }
        var buffer = new byte[(r.Base64.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(r.Base64, buffer, out var length))
        {
            v.Add($"{field}.base64", "Kvitteringen er ikke gyldigt base64-indhold.");
            return (null, null, null);
        }
        if (length > MaxReceiptBytes)
        {
            v.Add($"{field}.base64", "Kvitteringen er større end 5 MB.");
            return (null, null, null);
        }
        var bytes = buffer[..length];
        // The type is what the content is (its first bytes), not what the client says; they must agree.
        var sniffed = ReceiptTypes.FirstOrDefault(t => bytes.AsSpan().StartsWith(t.Value)).Key;
        if (sniffed is null)
        {
            v.Add($"{field}.contentType", "Kvitteringen skal være PDF, JPEG eller PNG.");
            return (null, null, null);
        }
        if (r.ContentType != sniffed)
        {
            v.Add($"{field}.contentType", ReceiptTypes.ContainsKey(r.ContentType ?? "") ? $"Filens indhold er ikke {r.ContentType}." : "Kvitteringen skal være PDF, JPEG eller PNG.");
            return (null, null, null);
        }
        return (string.IsNullOrEmpty(name) || name.Trim('.').Length == 0 ? "kvittering" : name, sniffed, bytes);
    }

    public sealed record ExpenseView(string Date, string What, decimal Amount, string? Receipt);
    public sealed record ClaimView(Guid Id, Guid CitizenId, string? Citizen, string? Cpr, int Year, string SubmittedOn, string Status, decimal ClaimedAmount,
        decimal? ApprovedAmount, string? CapReason, string? DecidedOn, bool Paid, IReadOnlyList<ExpenseView> Expenses);
    public sealed record SubsidyRateView(int Year, decimal Amount, string Source);
    public sealed record ExportView(Guid Id, string Kind, string Period, string CreatedAt);

    private static ClaimView ToClaimView(SubsidyClaim c, IEnumerable<SubsidyExpense> expenses, (string Name, string Cpr)? citizen = null) => new(
        c.Id, c.CitizenId, citizen?.Name, citizen is { } z ? CitizenEndpoints.Mask(z.Cpr) : null, c.Year, c.SubmittedOn.Iso(), c.Status, c.ClaimedAmount,
        c.ApprovedAmount, c.CapReason, c.DecidedOn?.Iso(), c.PaymentExportId is not null,
        expenses.Select(e => new ExpenseView(e.Date.Iso(), e.What, e.Amount, e.ReceiptFileName)).ToList());

    private static async Task<IResult> ListClaims(HttpContext http, LedsagDb db, int? year, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var q = db.SubsidyClaims.Where(c => c.MunicipalityId == actor.MunicipalityId);
        q = actor.Role switch
        {
            Role.Citizen => q.Where(c => c.CitizenId == actor.CitizenId),
            Role.Caseworker or Role.Administrator or Role.Finance => q,
            _ => throw ProblemException.Forbidden(),
        };
        if (year is not null)
        {
            q = q.Where(c => c.Year == year);
        }
        var claims = await q.OrderByDescending(c => c.SubmittedOn).ToListAsync(ct);
        var expenses = await db.SubsidyExpenses.Where(e => claims.Select(c => c.Id).Contains(e.ClaimId)).ToListAsync(ct);
        // Who the claim is from: the name and a masked CPR number (the payment file keeps the full one for NemKonto).
        var ids = claims.Select(c => c.CitizenId).Distinct().ToList();
        var citizens = await db.Citizens.Where(z => ids.Contains(z.Id)).ToDictionaryAsync(z => z.Id, z => (z.Name, z.Cpr), ct);
        return Results.Ok(claims.Select(c => ToClaimView(c, expenses.Where(e => e.ClaimId == c.Id), citizens.GetValueOrDefault(c.CitizenId))));
    }

    private static async Task<IResult> Decide(Guid id, DecideRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Standards standards, Today today,
        Letters.LetterService letters, CancellationToken ct)
    {
        var (claim, expenses) = await DecideAsync(Access.Require(http), id, body, db, audit, standards, today, letters, ct);
        return Results.Ok(ToClaimView(claim, expenses));
    }

    /// <summary>
    /// The decision on a claim, with its letter: the caseworker's, or the finance office's where it handles the yearly subsidy.
    /// The API and the finance page both come here.
    /// </summary>
    public static async Task<(SubsidyClaim Claim, List<SubsidyExpense> Expenses)> DecideAsync(Actor actor, Guid id, DecideRequest? body, LedsagDb db, AuditLog audit,
        Standards standards, Today today, Letters.LetterService letters, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Caseworker, Role.Administrator, Role.Finance);
        var claim = await db.SubsidyClaims.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (claim is null || claim.MunicipalityId != actor.MunicipalityId)
        {
            throw await Access.DeniedAsync(db, audit, actor, "subsidy", id, ct);
        }
        var v = new Validation();
        var decided = v.Date("decidedOn", body?.DecidedOn, required: false) ?? today.Date;
        if (body?.Approve is null) { v.Add("approve", "Angiv om tilskuddet bevilges (true/false)."); }
        var part = body?.Amount;
        if (part is not null && body?.Approve != true)
        {
            v.Add("amount", "Et beløb angives kun, når tilskuddet bevilges.");
        }
        else if (part is not null && (part is not (> 0 and < 1_000_000) || decimal.Round(part.Value, 2) != part))
        {
            v.Add("amount", "Beløbet skal være positivt og i kroner og øre.");
        }
        else if (part > claim.ClaimedAmount)
        {
            v.Add("amount", $"Beløbet kan højst være det søgte beløb på {Letters.Danish.Kroner(claim.ClaimedAmount)}");
        }
        // A refusal, and an approval of less than was claimed, say why (the letter's «Begrundelse»).
        var note = v.Text("note", body?.Note, required: body?.Approve == false || part is not null, max: 2000);
        v.ThrowIfInvalid();
        if (claim.Status != "submitted")
        {
            throw ProblemException.Conflict("Ansøgningen er allerede afgjort.", "ALREADY_DECIDED");
        }
        var standard = standards.For(claim.MunicipalityId);
        if (body!.Approve == true)
        {
            var amount = await SubsidyAmountAsync(db, standard, claim.Year, ct)
                ?? throw new ProblemException(StatusCodes.Status422UnprocessableEntity,
                    $"Beløbet efter § 97 stk. 7 for {claim.Year} er ikke registreret i Ledsag; en administrator skal indtaste det, før ansøgningen kan afgøres.",
                    new Dictionary<string, string[]> { ["year"] = [$"Årets beløb for {claim.Year} mangler."] }, "MISSING_RATE");
            var basis = standard.Get<string>(Parameters.SubsidyBasis, decided);
            var missing = (await db.SubsidyExpenses.Where(e => e.ClaimId == id).OrderBy(e => e.Date).Select(e => e.Receipt == null).ToListAsync(ct))
                .Select((none, i) => (none, i)).Where(x => x.none).ToList();
            if (missing.Count > 0 && Documented(standard, decided) is { } rule)
            {
                // Gribskov: «Du skal kunne dokumentere dine udgifter.» An expense without a receipt cannot be approved.
                throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Tilskuddet kan ikke bevilges, før alle udgifter er dokumenteret.",
                    missing.ToDictionary(x => $"expenses[{x.i}].receipt", _ => new[] { rule }), "RECEIPT_REQUIRED");
            }
            if (basis.Value == "fixed_amount")
            {
                if (part is not null)
                {
                    throw ProblemException.Invalid("amount", $"{standard.Name} udbetaler et fast beløb årligt ({basis.Source}); der bevilges ikke en del af det.");
                }
                // Ballerup pays "et fast beløb årligt": the year's amount, whatever the expenses.
                claim.ApprovedAmount = amount.Amount;
                claim.CapReason = $"{standard.Name} udbetaler et fast beløb årligt ({basis.Source}).";
            }
            else
            {
                var most = Math.Min(claim.ClaimedAmount, amount.Amount);
                if (part > most)
                {
                    throw ProblemException.Invalid("amount", $"Tilskuddet kan højst være {Letters.Danish.Kroner(amount.Amount)} for {claim.Year} (SEL § 97 stk. 7; {amount.Source}).");
                }
                claim.ApprovedAmount = part ?? most;
                claim.CapReason = part < most
                    ? note
                    : claim.ClaimedAmount > amount.Amount
                        ? $"Der er søgt {Letters.Danish.Kroner(claim.ClaimedAmount)}, men tilskuddet kan højst være {Letters.Danish.Kroner(amount.Amount)} for {claim.Year} (SEL § 97 stk. 7; {amount.Source})."
                        : null;
            }
            claim.Status = "approved";
        }
        else
        {
            claim.Status = "rejected";
        }
        claim.DecidedBy = actor.UserId;
        claim.DecidedOn = decided;
        var citizen = await db.Citizens.FirstAsync(z => z.Id == claim.CitizenId, ct);
        var (subject, text) = Letters.LetterTexts.Subsidy(standard, claim.Year, decided, claim.ApprovedAmount, claim.CapReason, note);
        letters.Add(db, citizen, null, "subsidy_decision", subject, text, decided: decided, signedBy: actor.UserId);
        audit.Add(db, actor, "decide", "subsidy", id.ToString(), $"{claim.Status} {claim.ApprovedAmount}");
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A parallel decision went first (the claim is changed only from the status read): one decision, one letter.
            throw ProblemException.Conflict("Ansøgningen er allerede afgjort.", "ALREADY_DECIDED");
        }
        return (claim, await db.SubsidyExpenses.Where(e => e.ClaimId == id).ToListAsync(ct));
    }

    /// <summary>
    /// A claim's receipt (the first, or the one of <paramref name="expense"/>): to the citizen who claimed, and to staff who decide or pay.
    /// Always as a download, never shown inline from our address: it is a file someone uploaded.
    /// </summary>
    private static async Task<IResult> ReceiptFile(Guid id, Guid? expense, HttpContext http, LedsagDb db, Access access, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Citizen, Role.Caseworker, Role.Administrator, Role.Finance);
        var claim = await db.SubsidyClaims.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (claim is null || claim.MunicipalityId != actor.MunicipalityId || (actor.Role == Role.Citizen && claim.CitizenId != actor.CitizenId))
        {
            throw await Access.DeniedAsync(db, audit, actor, "subsidy", id, ct);
        }
        var file = await db.SubsidyExpenses.AsNoTracking().Where(e => e.ClaimId == id && e.Receipt != null && (expense == null || e.Id == expense))
            .OrderBy(e => e.Date).FirstOrDefaultAsync(ct);
        if (file is null)
        {
            return Results.Problem(statusCode: 404, title: "Der er ingen kvittering til denne udgift.");
        }
        access.Read(actor, "subsidy_receipt", file.Id);
        await audit.SaveAsync(db, ct);
        return Results.File(file.Receipt!, file.ReceiptContentType, file.ReceiptFileName ?? "kvittering");
    }

    private static async Task<IResult> EnterRate(RateRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        var rate = await EnterRateAsync(Access.Require(http), body, db, audit, standards, today, ct);
        return Results.Created($"/api/subsidy-rates/{rate.Year}", new SubsidyRateView(rate.Year, rate.Amount, rate.Source));
    }

    /// <summary>An administrator enters a year's § 97 stk. 7 amount; the API and the administrator's page both come here.</summary>
    public static async Task<SubsidyRate> EnterRateAsync(Actor actor, RateRequest? body, LedsagDb db, AuditLog audit, Standards standards, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Administrator);
        var v = new Validation();
        if (body?.Year is not (>= 2000 and <= 2100)) { v.Add("year", "Angiv et år fra 2000 til 2100."); }
        if (body?.Amount is not (> 0 and < 100_000)) { v.Add("amount", "Beløbet skal være positivt."); }
        var source = v.Text("source", body?.Source, max: 400);
        v.ThrowIfInvalid();
        var standard = standards.For(actor.MunicipalityId);
        if (standard.National.SubsidyMax(body!.Year!.Value) is { } national && !OwnAmount(standard, body.Year.Value))
        {
            throw new ProblemException(StatusCodes.Status409Conflict,
                $"Beløbet for {body.Year} er det landsdækkende ({Letters.Danish.Kroner(national.Amount)}; {national.Source}). {standard.Name}s kvalitetsstandard fastsætter ikke sit eget beløb.",
                new Dictionary<string, string[]> { ["year"] = [$"Beløbet for {body.Year} er fastsat og kan ikke ændres her."] }, "RATE_IN_STANDARD");
        }
        // Entered already: seen before saving, or (a parallel entry) by the key when saving.
        var exists = new ProblemException(StatusCodes.Status409Conflict, $"Beløbet for {body.Year} er allerede indtastet for {standard.Name}.",
            new Dictionary<string, string[]> { ["year"] = [$"Beløbet for {body.Year} er allerede indtastet."] }, "RATE_EXISTS");
        if (await db.SubsidyRates.AnyAsync(r => r.MunicipalityId == actor.MunicipalityId && r.Year == body.Year, ct))
        {
            throw exists;
        }
        var rate = new SubsidyRate
        {
            MunicipalityId = actor.MunicipalityId, Year = body.Year.Value, Amount = body.Amount!.Value, Source = source!, EnteredBy = actor.UserId, EnteredAt = today.Now,
        };
        db.SubsidyRates.Add(rate);
        audit.Add(db, actor, "enter-rate", "subsidy_rate", body.Year.ToString(), $"{body.Amount} kr.: {source}");
        try
        {
            await audit.SaveAsync(db, ct);
        }
        catch (DbUpdateException)
        {
            throw exists;
        }
        return rate;
    }

    private static async Task<IResult> GetRate(int year, HttpContext http, LedsagDb db, Standards standards, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var amount = await SubsidyAmountAsync(db, standards.For(actor.MunicipalityId), year, ct);
        return amount is null
            ? Results.Problem(statusCode: 404, title: $"Beløbet efter § 97 stk. 7 for {year} er ikke registreret; en administrator skal indtaste det.")
            : Results.Ok(new SubsidyRateView(year, amount.Value.Amount, amount.Value.Source));
    }

    private static async Task<IResult> PaymentFile(YearRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        var v = new Validation();
        if (body?.Year is not (>= 2000 and <= 2100)) { v.Add("year", "Angiv et år."); }
        v.ThrowIfInvalid();
        return Results.Text(await PaymentFileAsync(actor, body!.Year!.Value, db, audit, today, ct), "text/csv; charset=utf-8");
    }

    /// <summary>The NemKonto payment file of approved, unpaid claims for a year; marks them paid. The API and `ledsag export subsidies` both come here.</summary>
    public static async Task<string> PaymentFileAsync(Actor actor, int year, LedsagDb db, AuditLog audit, Today today, CancellationToken ct) =>
        (await PayClaimsAsync(actor, year, db, audit, today, ct)).Csv;

    /// <summary>What the year's payment file would hold now (approved, unpaid claims), and the claims it would pay. Reads only: the finance page's preview shows it.</summary>
    public static async Task<(List<SubsidyClaim> Claims, string Csv)> PaymentPreviewAsync(string municipalityId, int year, LedsagDb db, CancellationToken ct)
    {
        var claims = await db.SubsidyClaims.Where(c => c.MunicipalityId == municipalityId && c.Year == year && c.Status == "approved" && c.PaymentExportId == null)
            .Join(db.Citizens, c => c.CitizenId, z => z.Id, (c, z) => new { c, z.Cpr, z.Name }).ToListAsync(ct);
        var csv = Exports.Csv(new ExportSheet("Udbetalinger", ["cpr", "navn", "beløb", "tekst"],
            claims.OrderBy(x => x.Name).Select(x => (IReadOnlyList<object?>)[x.Cpr, x.Name, x.c.ApprovedAmount!.Value, $"Tilskud ledsageordning {x.c.Year}"]).ToList()));
        return (claims.Select(x => x.c).ToList(), csv);
    }

    /// <summary>The payment file of a year, and the stored file it made (null when there was nothing left to pay: no file is kept).</summary>
    public static async Task<(ExportFile? File, string Csv)> PayClaimsAsync(Actor actor, int year, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        for (var attempt = 0; ; attempt++)
        {
            var (claims, csv) = await PaymentPreviewAsync(actor.MunicipalityId, year, db, ct);
            if (claims.Count == 0)
            {
                return (null, csv); // nothing to pay: no file to keep
            }
            var count = await db.Exports.CountAsync(e => e.MunicipalityId == actor.MunicipalityId && e.Kind == "subsidy_payments" && e.Period.StartsWith($"{year}/"), ct);
            var file = new ExportFile
            {
                MunicipalityId = actor.MunicipalityId, Kind = "subsidy_payments", Period = $"{year}/{count + 1}", CreatedAt = today.Now, CreatedBy = actor.UserId, Content = csv,
            };
            db.Exports.Add(file);
            foreach (var c in claims)
            {
                c.PaymentExportId = file.Id;
                c.Status = "paid"; // only from "approved": a claim a parallel file paid fails the save below
            }
            audit.Add(db, actor, "export", "subsidy_payments", file.Id.ToString(), $"{claims.Count} udbetalinger");
            try
            {
                await audit.SaveAsync(db, ct);
                return (file, file.Content);
            }
            catch (DbUpdateException) when (attempt < 50)
            {
                // A parallel payment file went first (it paid some of these claims, or took this file number): build again from what is left.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static async Task<IResult> Payroll(PeriodRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        return Results.Text(await PayrollAsync(actor, PayrollPeriod(body?.Period, today), db, audit, today, ct), "text/csv; charset=utf-8");
    }

    /// <summary>A payroll period as typed («2026-05»): a month that has begun.</summary>
    public static YearMonth PayrollPeriod(string? text, Today today)
    {
        var v = new Validation();
        var period = v.Month("period", text) ?? default;
        v.ThrowIfInvalid();
        if (period > today.Date.ToYearMonth())
        {
            throw ProblemException.Invalid("period", "En lønperiode i fremtiden kan ikke eksporteres.");
        }
        return period;
    }

    /// <summary>The payroll file of a month: the stored one when it was exported before (locked), else a new one. The API and `ledsag export payroll` both come here.</summary>
    public static async Task<string> PayrollAsync(Actor actor, YearMonth period, LedsagDb db, AuditLog audit, Today today, CancellationToken ct) =>
        (await PayrollFileAsync(actor, period, db, audit, today, ct)).Content;

    /// <summary>The month's stored payroll file: the one exported before (locked), else a new one.</summary>
    public static async Task<ExportFile> PayrollFileAsync(Actor actor, YearMonth period, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        var key = PayrollFile.Key(period);
        if (await PayrollFile.ExportedAsync(db, actor.MunicipalityId, period, ct) is { } done)
        {
            return done; // locked: the same file again
        }
        for (var attempt = 0; ; attempt++)
        {
            var file = await PayrollFile.BuildAsync(db, actor, period, key, today.Now, ct);
            audit.Add(db, actor, "export", "payroll", file.Id.ToString(), key);
            try
            {
                await audit.SaveAsync(db, ct);
                return file;
            }
            catch (DbUpdateException) when (attempt < 50)
            {
                // Another export went first: of this month (its file is the one to give), or of another month
                // that took sessions this one read (each session is exported once): build again from what is left.
                db.ChangeTracker.Clear();
                if (await PayrollFile.ExportedAsync(db, actor.MunicipalityId, period, ct) is { } winner)
                {
                    return winner;
                }
            }
        }
    }

    /// <summary>A stored file (payroll, NemKonto payments, cash grant payments) again, as it was made.</summary>
    private static async Task<IResult> Download(Guid id, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        var file = await db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (file is null || file.MunicipalityId != actor.MunicipalityId)
        {
            throw await Access.DeniedAsync(db, audit, actor, "export", id, ct);
        }
        audit.Add(db, actor, "download", file.Kind, file.Id.ToString(), file.Period);
        await audit.SaveAsync(db, ct);
        return Results.File(System.Text.Encoding.UTF8.GetBytes(file.Content), "text/csv; charset=utf-8", FinanceFiles.FileName(file));
    }

    private static async Task<IResult> ListExports(HttpContext http, LedsagDb db, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Finance, Role.Administrator);
        var rows = await db.Exports.Where(e => e.MunicipalityId == actor.MunicipalityId).OrderByDescending(e => e.CreatedAt)
            .Select(e => new { e.Id, e.Kind, e.Period, e.CreatedAt }).ToListAsync(ct);
        return Results.Ok(rows.Select(e => new ExportView(e.Id, e.Kind, e.Period, e.CreatedAt.ToString())));
    }
}

/// <summary>Builds a payroll file: confirmed hours per companion for the period, late registrations and corrections of exported sessions as adjustments.</summary>
public static class PayrollFile
{
    /// <summary>The period as exports store it: «2026-05».</summary>
    public static string Key(YearMonth period) => $"{period.Year:0000}-{period.Month:00}";

    /// <summary>The month's payroll file, where it has been exported (it is locked then).</summary>
    public static Task<ExportFile?> ExportedAsync(LedsagDb db, string municipalityId, YearMonth period, CancellationToken ct)
    {
        var key = Key(period);
        return db.Exports.AsNoTracking().FirstOrDefaultAsync(e => e.MunicipalityId == municipalityId && e.Kind == "payroll" && e.Period == key, ct);
    }

    /// <summary>
    /// What the month's payroll file would hold if it were made now, built by the same code as the file; nothing is saved
    /// (the sessions it would settle are let go again). The finance page's preview shows it.
    /// </summary>
    public static async Task<string> PreviewAsync(LedsagDb db, Actor actor, YearMonth period, Instant now, CancellationToken ct)
    {
        try
        {
            return (await BuildAsync(db, actor, period, Key(period), now, ct)).Content;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public static async Task<ExportFile> BuildAsync(LedsagDb db, Actor actor, YearMonth period, string key, Instant now, CancellationToken ct)
    {
        var last = period.OnDayOfMonth(period.Calendar.GetDaysInMonth(period.Year, period.Month));
        var first = period.OnDayOfMonth(1);
        // A companion the citizen employs under a cash grant is paid by the citizen, not by the municipality's payroll.
        var citizenEmployed = db.Companions.Where(k => k.Employer == "cash_grant").Select(k => (Guid?)k.Id);
        var rows = await db.Sessions.Where(s => s.PayrollExportId == null && s.CompanionId != null && s.Date <= last && s.ConfirmedAt != null && !citizenEmployed.Contains(s.CompanionId))
            .Join(db.Grants.Where(g => g.MunicipalityId == actor.MunicipalityId), s => s.GrantId, g => g.Id, (s, _) => s).ToListAsync(ct);
        var reversalOriginals = rows.Where(r => r.ReversalOf is not null).Select(r => r.ReversalOf!.Value).ToList();
        var exportedOriginals = (await db.Sessions.Where(s => reversalOriginals.Contains(s.Id) && s.PayrollExportId != null).Select(s => s.Id).ToListAsync(ct)).ToHashSet();
        var file = new ExportFile { MunicipalityId = actor.MunicipalityId, Kind = "payroll", Period = key, CreatedAt = now, CreatedBy = actor.UserId, Content = "" };
        var lines = new List<(Guid Companion, string Type, int Minutes, decimal Km)>();
        var reversedHere = rows.Where(r => r.ReversalOf is not null && !exportedOriginals.Contains(r.ReversalOf!.Value)).Select(r => r.ReversalOf!.Value).ToHashSet();
        foreach (var s in rows)
        {
            if (s.ReversalOf is { } original)
            {
                if (exportedOriginals.Contains(original))
                {
                    lines.Add((s.CompanionId!.Value, "korrektion", s.Minutes, s.Km));
                }
            }
            else if (!reversedHere.Contains(s.Id))
            {
                lines.Add((s.CompanionId!.Value, s.Date < first ? "efterregistrering" : "løn", s.Minutes, s.Km));
            }
            s.PayrollExportId = file.Id; // settled: paid now, or netted out by its reversal
        }
        var companions = await db.Companions.Where(k => k.MunicipalityId == actor.MunicipalityId).ToDictionaryAsync(k => k.Id, ct);
        var providers = await db.Providers.Where(p => p.MunicipalityId == actor.MunicipalityId).ToDictionaryAsync(p => p.Id, ct);
        // The employer column routes the hours: the municipality's own payroll, or the provider that employs the companion (its invoice).
        string Employer(Companion k) => k.Employer == "provider" && k.ProviderId is { } pid && providers.TryGetValue(pid, out var p) ? $"{p.Name} (CVR {p.Cvr})" : "Kommunen";
        file.Content = Exports.Csv(new ExportSheet("Løn", ["ledsager_id", "navn", "cpr", "periode", "type", "timer", "km", "arbejdsgiver"],
            lines.GroupBy(l => (l.Companion, l.Type)).OrderBy(g => companions[g.Key.Companion].Name).ThenBy(g => g.Key.Type)
                .Select(g => (IReadOnlyList<object?>)[g.Key.Companion.ToString(), companions[g.Key.Companion].Name, companions[g.Key.Companion].Cpr ?? "", key, g.Key.Type,
                    g.Sum(l => l.Minutes) / 60m, g.Sum(l => l.Km), Employer(companions[g.Key.Companion])]).ToList()));
        db.Exports.Add(file);
        return file;
    }
}
