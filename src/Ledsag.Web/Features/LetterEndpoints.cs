using System.ComponentModel.DataAnnotations;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace Ledsag.Web.Features;

/// <summary>The letter outbox (read by the municipality's Digital Post gateway) and the lapse reminders that go through it.</summary>
public static class LetterEndpoints
{
    public sealed record RunRequest(string? Date);
    public sealed record RemindersSent(string Date, int Created);
    public sealed record LetterView(Guid Id, Guid CitizenId, Guid? CaseId, string Kind, string Subject, string Body, string CreatedAt, string Status, string Pdf);

    /// <summary>The Digital Post gateway's receipt for a letter: its id for the message, how it went, and when Digital Post received it.</summary>
    public sealed record ReceiptRequest([property: Required] string? MessageId, [property: Required, OneOf(typeof(LetterEndpoints), nameof(ReceiptStatuses))] string? Status,
        [property: Required] string? ReceivedAt);

    /// <summary>A letter's receipt as the API shows it.</summary>
    public sealed record ReceiptView(Guid LetterId, string Status, string MessageId, string ReceiptStatus, string ReceivedAt);

    /// <summary>How a letter reached the citizen: in their digital mailbox, or on paper (Digital Post prints it for a citizen exempt from it).</summary>
    private static readonly Dictionary<string, string> ReceiptStatuses = new(StringComparer.Ordinal) { ["delivered"] = "delivered", ["printed"] = "printed" };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/letters", List).WithTags("Breve").RequireAuthorization().WithName("ListLetters").Produces<IReadOnlyList<LetterView>>();
        app.MapPost("/api/admin/lapse-reminders", Run).WithTags("Breve").RequireAuthorization().WithName("SendLapseReminders").Produces<RemindersSent>();
        app.MapGet("/api/letters/{id:guid}/pdf", Pdf).WithTags("Breve").RequireAuthorization().WithName("GetLetterPdf").Produces(200, contentType: "application/pdf");
        app.MapPost("/api/letters/{id:guid}/sent", Sent).WithTags("Breve").RequireAuthorization().WithName("MarkLetterSent").Produces(204);
        app.MapGet("/api/letters/{id:guid}/memo", MeMo).WithTags("Breve").RequireAuthorization().WithName("GetLetterMeMo").Produces(200, contentType: "application/xml");
        app.MapPost("/api/letters/{id:guid}/receipt", Receipt).WithTags("Breve").RequireAuthorization().WithName("RecordLetterReceipt").Produces<ReceiptView>().ProducesProblem(409);
    }

    private static async Task<IResult> List(HttpContext http, LedsagDb db, Guid? citizenId, string? status, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var q = db.Letters.Where(l => l.MunicipalityId == actor.MunicipalityId);
        q = actor.Role switch
        {
            Role.Citizen => q.Where(l => l.CitizenId == actor.CitizenId),
            Role.Caseworker or Role.Administrator => citizenId is null ? q : q.Where(l => l.CitizenId == citizenId),
            _ => throw ProblemException.Forbidden(),
        };
        if (status is not null)
        {
            q = q.Where(l => l.Status == status);
        }
        var letters = await q.OrderByDescending(l => l.CreatedAt).Take(500).ToListAsync(ct);
        return Results.Ok(letters.Select(l => new LetterView(l.Id, l.CitizenId, l.CaseId, l.Kind, l.Subject, l.Body, l.CreatedAt.ToString(),
            l.Status, $"/api/letters/{l.Id}/pdf")));
    }

    private static async Task<Letter> LoadAsync(LedsagDb db, AuditLog audit, Actor actor, Guid id, CancellationToken ct)
    {
        var letter = await db.Letters.FirstOrDefaultAsync(l => l.Id == id, ct);
        var allowed = letter is not null && letter.MunicipalityId == actor.MunicipalityId &&
                      (actor.Role is Role.Caseworker or Role.Administrator || (actor.Role == Role.Citizen && letter.CitizenId == actor.CitizenId));
        if (!allowed)
        {
            throw await Access.DeniedAsync(db, audit, actor, "letter", id, ct);
        }
        return letter!;
    }

    private static async Task<IResult> Pdf(Guid id, HttpContext http, LedsagDb db, AuditLog audit, CancellationToken ct)
    {
        var actor = Access.Require(http);
        var letter = await LoadAsync(db, audit, actor, id, ct);
        audit.Add(db, actor, "read", "letter", id.ToString());
        await audit.SaveAsync(db, ct);
        return Results.File(letter.Pdf ?? [], "application/pdf", FileName(letter));
    }

    /// <summary>The file name a citizen sees when saving the letter: what it is and the day, in Danish («Afgørelse 15. juni 2026.pdf»).</summary>
    public static string FileName(Letter letter) =>
        $"{letter.Kind switch
        {
            "grant" => "Bevilling",
            "refusal" => "Afgørelse",
            "grant_end" => "Ophør af ledsageordning",
            "consultation" => "Partshøring",
            "delay" => "Forsinket afgørelse",
            "reassessment" => "Genvurdering",
            "forwarded" => "Klage sendt til Ankestyrelsen",
            "complaint_late" => "Klage modtaget efter fristen",
            "lapse_reminder" => "Timer der bortfalder",
            "subsidy_decision" => "Tilskud til udgifter",
            "privacy_notice" => "Sådan behandler vi dine personoplysninger",
            "stay_abroad_decision" => "Udlandsophold",
            _ => "Brev fra kommunen",
        }} {Letters.Danish.Date(Today.DayOf(letter.CreatedAt))}.pdf";

    /// <summary>The Digital Post gateway reports a letter delivered.</summary>
    private static async Task<IResult> Sent(Guid id, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Administrator);
        var letter = await LoadAsync(db, audit, actor, id, ct);
        letter.Status = "sent";
        letter.SentAt ??= today.Now;
        audit.Add(db, actor, "sent", "letter", id.ToString());
        await audit.SaveAsync(db, ct);
        return Results.NoContent();
    }

    /// <summary>
    /// The letter as a MeMo message for the Digital Post gateway (application/xml). It names the citizen by CPR number, so
    /// only the administrator's account (the gateway's token) may fetch it, and each fetch is audited. A message is
    /// checked against the schema before it leaves: one that breaks it is an error here, never a message sent.
    /// </summary>
    private static async Task<IResult> MeMo(Guid id, HttpContext http, LedsagDb db, AuditLog audit, Standards standards, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Administrator);
        var letter = await LoadAsync(db, audit, actor, id, ct);
        var message = await Letters.MeMoMessage.ForAsync(db, standards, letter, ct);
        if (Letters.MeMoSchema.Validate(message) is { Count: > 0 } problems)
        {
            // Where only: the validator's words may quote the refused value, and the recipient's is a CPR number.
            throw new InvalidOperationException($"The MeMo message of letter {id} breaks the schema at {string.Join(", ", problems.Select(p => p.Where).Distinct())}");
        }
        audit.Add(db, actor, "read", "letter", id.ToString(), "MeMo");
        await audit.SaveAsync(db, ct);
        return Results.Bytes(Letters.MeMoMessage.Utf8(message), "application/xml");
    }

    /// <summary>
    /// The gateway's receipt: the letter is sent, and the receipt is kept with it. The same receipt again (a retry) is
    /// answered as the first was; a different one for a letter that has one is a conflict. One receipt per letter is the
    /// database's to keep (a concurrency token on the receipt), so of two at once only one is saved.
    /// </summary>
    private static async Task<IResult> Receipt(Guid id, ReceiptRequest? body, HttpContext http, LedsagDb db, AuditLog audit, Today today, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Administrator);
        var letter = await LoadAsync(db, audit, actor, id, ct);
        var v = new Validation();
        var messageId = v.Name("messageId", body?.MessageId, max: 200);
        var status = v.Enum("status", body?.Status, ReceiptStatuses);
        var receivedAt = v.Moment("receivedAt", body?.ReceivedAt);
        if (receivedAt < letter.CreatedAt)
        {
            v.Add("receivedAt", "Digital Post kan ikke have modtaget brevet, før det blev lavet.");
        }
        else if (receivedAt > today.Now + Duration.FromMinutes(5))
        {
            v.Add("receivedAt", "Tidspunktet ligger ude i fremtiden.");
        }
        v.ThrowIfInvalid();
        if (letter.ReceiptMessageId is null)
        {
            letter.ReceiptMessageId = messageId;
            letter.ReceiptStatus = status;
            letter.ReceiptAt = receivedAt;
            letter.Status = "sent";
            letter.SentAt ??= receivedAt;
            audit.Add(db, actor, "receipt", "letter", id.ToString(), $"{status} {messageId}");
            try
            {
                await audit.SaveAsync(db, ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another request saved a receipt after this one read the letter: compare with what was saved.
                db.ChangeTracker.Clear();
                letter = await db.Letters.AsNoTracking().FirstAsync(l => l.Id == id, ct);
            }
        }
        if (letter.ReceiptMessageId != messageId || letter.ReceiptStatus != status || letter.ReceiptAt != receivedAt)
        {
            throw ProblemException.Conflict(
                $"Brevet har allerede en anden kvittering fra Digital Post ({letter.ReceiptStatus} {letter.ReceiptMessageId}, " +
                $"{InstantPattern.ExtendedIso.Format(letter.ReceiptAt!.Value)}).", "RECEIPT_CONFLICT");
        }
        return Results.Ok(new ReceiptView(id, letter.Status, letter.ReceiptMessageId!, letter.ReceiptStatus!, InstantPattern.ExtendedIso.Format(letter.ReceiptAt!.Value)));
    }

    private static async Task<IResult> Run(RunRequest? body, HttpContext http, LedsagDb db, Standards standards, Today today, AuditLog audit,
        Letters.LetterService letters, CancellationToken ct)
    {
        var actor = Access.Require(http);
        Access.RequireRole(actor, Role.Administrator);
        var v = new Validation();
        var date = v.Date("date", body?.Date, required: false) ?? today.Date;
        v.ThrowIfInvalid();
        var created = await LapseReminders.RunAsync(db, standards, letters, actor.MunicipalityId, date, ct);
        audit.Add(db, actor, "lapse-reminders", "letter", null, $"{created} breve pr. {date.Iso()}");
        await audit.SaveAsync(db, ct);
        return Results.Ok(new RemindersSent(date.Iso(), created));
    }
}

/// <summary>
/// Ahead of a lapse (the standard's <c>lapse_reminder_days</c>, 30 by default) the citizen gets a letter
/// saying how many hours lapse on which day. Each lapse is told once: the letter's dedup key is unique,
/// so two instances running the job at once still send one letter.
/// </summary>
public static class LapseReminders
{
    public static async Task<int> RunAsync(LedsagDb db, Standards standards, Letters.LetterService letters, string municipalityId, LocalDate date, CancellationToken ct)
    {
        var standard = standards.For(municipalityId);
        var days = standard.Get<int>(Parameters.LapseReminderDays, date);
        var grants = await db.Grants.Where(g => g.MunicipalityId == municipalityId && g.Start <= date && (g.End == null || g.End >= date)).ToListAsync(ct);
        var created = 0;
        foreach (var g in grants)
        {
            var ledger = await GrantEndpoints.ReplayAsync(db, g, standard, ct);
            foreach (var lapse in ledger.Forecast(date).Where(l => l.Date <= date.PlusDays(days.Value)))
            {
                var key = $"lapse:{g.Id}:{lapse.Date.Iso()}";
                if (await db.Letters.AnyAsync(l => l.DedupKey == key, ct))
                {
                    continue;
                }
                var view = GrantEndpoints.View(g.Id, ledger, date);
                var citizen = await db.Citizens.FirstAsync(z => z.Id == g.CitizenId, ct);
                var (subject, body) = Letters.LetterTexts.LapseReminder(lapse.Hours.Hours, lapse.Date, view.Available);
                letters.Add(db, citizen, g.CaseId, "lapse_reminder", subject, body, key);
                try
                {
                    await db.SaveChangesAsync(ct);
                    created++;
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear(); // another instance sent this reminder first
                }
            }
        }
        return created;
    }

}

/// <summary>Runs the lapse reminders once a day for every municipality.</summary>
public sealed class LapseReminderService(IServiceScopeFactory scopes, ILogger<LapseReminderService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(24));
        do
        {
            try
            {
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<LedsagDb>();
                var standards = scope.ServiceProvider.GetRequiredService<Standards>();
                var today = scope.ServiceProvider.GetRequiredService<Today>();
                var letters = scope.ServiceProvider.GetRequiredService<Letters.LetterService>();
                foreach (var id in standards.Set.Municipalities.Keys)
                {
                    var created = await LapseReminders.RunAsync(db, standards, letters, id, today.Date, stoppingToken);
                    log.LogInformation("Lapse reminders for {Municipality}: {Count} letters", id, created);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Lapse reminders failed; they run again tomorrow");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
