using System.Text;
using System.Text.Json;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Ledsag.Web.Letters;
using Microsoft.EntityFrameworkCore;
using NodaTime.Text;

namespace Ledsag.Web.Features;

/// <summary>
/// A citizen's own data (GDPR art. 15, indsigt): everything Ledsag holds about them, as JSON for systems and
/// as a PDF to read. The citizen may ask for their own; a caseworker or administrator for any citizen of the
/// municipality (the request is audited).
/// </summary>
public static class PersonalDataEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Map(IEndpointRouteBuilder app)
    {
        // The export is every record held on the citizen (GDPR art. 15), grouped by kind: an open JSON object, not a fixed shape.
        app.MapGet("/api/citizens/{id:guid}/personal-data", JsonExport).WithTags("Borgere").RequireAuthorization().WithName("ExportPersonalData")
            .Produces<Dictionary<string, System.Text.Json.JsonElement>>();
        app.MapGet("/api/citizens/{id:guid}/personal-data.pdf", PdfExport).WithTags("Borgere").RequireAuthorization().WithName("ExportPersonalDataPdf")
            .Produces(200, contentType: "application/pdf");
    }

    private static readonly Dictionary<string, string> Labels = new()
    {
        ["name"] = "Navn", ["cpr"] = "CPR-nummer", ["birthDate"] = "Fødselsdato", ["address"] = "Adresse", ["phone"] = "Telefon", ["email"] = "E-mail",
        ["earlyRetirementPension"] = "Førtidspension", ["representativeKind"] = "Repræsentant", ["representativeName"] = "Repræsentantens navn",
        ["representativeContact"] = "Repræsentantens kontaktoplysninger",
    };

    private static async Task<object> CollectAsync(Guid id, HttpContext http, Access access, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Citizen, Role.Caseworker, Role.Administrator);
        var citizen = await access.CitizenAsync(actor, id, ct);
        audit.Add(db, actor, "personal-data-export", "citizen", id.ToString());
        await audit.SaveAsync(db, ct);
        var cases = await db.Cases.AsNoTracking().Where(c => c.CitizenId == id).ToListAsync(ct);
        var caseIds = cases.Select(c => c.Id).ToList();
        var steps = await db.CaseSteps.AsNoTracking().Where(s => caseIds.Contains(s.CaseId)).OrderBy(s => s.RecordedAt).ToListAsync(ct);
        var grants = await db.Grants.AsNoTracking().Where(g => g.CitizenId == id).ToListAsync(ct);
        var grantIds = grants.Select(g => g.Id).ToList();
        var sessions = await db.Sessions.AsNoTracking().Where(s => grantIds.Contains(s.GrantId)).OrderBy(s => s.Date).ToListAsync(ct);
        var agreements = await db.SavingsAgreements.AsNoTracking().Where(a => grantIds.Contains(a.GrantId)).ToListAsync(ct);
        var claims = await db.SubsidyClaims.AsNoTracking().Where(c => c.CitizenId == id).ToListAsync(ct);
        var letters = await db.Letters.AsNoTracking().Where(l => l.CitizenId == id).Select(l => new { l.Kind, l.Subject, l.CreatedAt, l.Status }).ToListAsync(ct);
        return new
        {
            exportedAt = DateTime.UtcNow.ToString("O"),
            legalBasis = "Databeskyttelsesforordningen art. 15 (indsigtsret)",
            citizen = new
            {
                citizen.Name, cpr = $"{citizen.Cpr[..6]}-{citizen.Cpr[6..]}", birthDate = citizen.BirthDate.Iso(), citizen.Address, citizen.Phone, citizen.Email,
                citizen.EarlyRetirementPension, citizen.RepresentativeKind, citizen.RepresentativeName, citizen.RepresentativeContact,
            },
            cases = cases.Select(c => new
            {
                c.Number, state = c.State.ToString(), receivedOn = c.ReceivedOn.Iso(), c.Channel, c.RoutedTo,
                steps = steps.Where(s => s.CaseId == c.Id).Select(s => new { s.Kind, on = s.OccurredOn.Iso(), s.Reason, data = JsonDocument.Parse(s.DataJson).RootElement }),
            }),
            grants = grants.Select(g => new
            {
                start = g.Start.Iso(), end = g.End?.Iso(), hoursPerMonth = g.MinutesPerMonth / 60m, g.EndReason,
                savingsAgreements = agreements.Where(a => a.GrantId == g.Id).Select(a => new { from = a.From.Iso(), to = a.To.Iso(), a.Purpose }),
                sessions = sessions.Where(s => s.GrantId == g.Id).Select(s => new { date = s.Date.Iso(), hours = s.Minutes / 60m, s.Activity, s.Km, reversal = s.ReversalOf is not null }),
            }),
            subsidyClaims = claims.Select(c => new { c.Year, c.Status, c.ClaimedAmount, c.ApprovedAmount }),
            letters = letters.Select(l => new { l.Kind, l.Subject, createdAt = l.CreatedAt.ToString(), l.Status }),
        };
    }

    private static async Task<IResult> JsonExport(Guid id, HttpContext http, Access access, LedsagDb db, AuditLog audit, CancellationToken ct) =>
        Results.Text(JsonSerializer.Serialize(await CollectAsync(id, http, access, db, audit, ct), Json), "application/json; charset=utf-8");

    private static async Task<IResult> PdfExport(Guid id, HttpContext http, Access access, LedsagDb db, AuditLog audit, LetterService letters, CancellationToken ct)
    {
        var data = JsonSerializer.SerializeToElement(await CollectAsync(id, http, access, db, audit, ct), Json);
        var citizen = data.GetProperty("citizen");
        var body = new StringBuilder("Her er de oplysninger, Ledsag har om dig i sagerne om ledsageordning (databeskyttelsesforordningen art. 15).\n\n");
        body.Append("## Dine oplysninger\n");
        foreach (var p in citizen.EnumerateObject().Where(p => p.Value.ValueKind is not JsonValueKind.Null && Labels.ContainsKey(p.Name)))
        {
            var value = p.Value.ValueKind switch
            {
                JsonValueKind.True => "ja",
                JsonValueKind.False => "nej",
                _ when p.Name == "birthDate" => Danish.Date(LocalDatePattern.Iso.Parse(p.Value.GetString()!).Value),
                _ => p.Value.ToString(),
            };
            body.Append(Labels[p.Name]).Append(": ").Append(value).Append('\n');
        }
        foreach (var c in data.GetProperty("cases").EnumerateArray())
        {
            body.Append($"\n## Sag {c.GetProperty("number").GetString()}\n");
            foreach (var s in c.GetProperty("steps").EnumerateArray())
            {
                var on = Danish.Date(LocalDatePattern.Iso.Parse(s.GetProperty("on").GetString()!).Value);
                body.Append($"• {on}: {CaseEndpoints.StepTitle(s.GetProperty("kind").GetString()!)}{(s.GetProperty("reason").ValueKind == JsonValueKind.String ? " – " + s.GetProperty("reason").GetString() : "")}\n");
            }
        }
        foreach (var g in data.GetProperty("grants").EnumerateArray())
        {
            var sessions = g.GetProperty("sessions").EnumerateArray().ToList();
            var start = Danish.Date(LocalDatePattern.Iso.Parse(g.GetProperty("start").GetString()!).Value);
            body.Append($"\n## Bevilling fra {start}\n{Danish.Hours(g.GetProperty("hoursPerMonth").GetDecimal())} om måneden; {sessions.Count} registrerede ledsagelser, i alt {Danish.Hours(sessions.Sum(s => s.GetProperty("hours").GetDecimal()))}.\n");
        }
        body.Append($"\n## Breve\n{data.GetProperty("letters").GetArrayLength()} breve. De kan hentes under Mine breve.\n");
        var pdf = letters.Document(Access.Require(http).MunicipalityId, citizen.GetProperty("name").GetString()!,
            citizen.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null,
            "Indsigt: dine oplysninger i Ledsag", body.ToString());
        return Results.File(pdf, "application/pdf", "Indsigt i mine oplysninger.pdf");
    }
}
