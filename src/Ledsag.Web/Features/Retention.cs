using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Ledsag.Web.Features;

/// <summary>
/// Anonymisation after the retention period (GDPR art. 5(1)(e), storage limitation). A citizen whose
/// scheme has ended and whose case has seen nothing for the retention period (5 years by default) keeps
/// the facts the municipality must keep — ids, dates, hours, decisions and their legal basis, the audit
/// log — and loses everything that identifies them or tells about their health in free text.
/// docs/privacy.md says what is kept and why.
/// </summary>
public static class Retention
{
    public const int DefaultYears = 5;
    public const string Redacted = "[anonymiseret]";
    private const string Marker = "anonym-";

    public sealed record Candidate(Guid CitizenId, string MunicipalityId, LocalDate LastActivity);

    /// <summary>Citizens with no open grant and nothing on their case since <paramref name="asOf"/> minus <paramref name="years"/>.</summary>
    public static async Task<List<Candidate>> DueAsync(LedsagDb db, LocalDate asOf, int years, CancellationToken ct = default)
    {
        var cutoff = asOf.PlusYears(-years);
        var citizens = await db.Citizens.AsNoTracking().Where(c => !c.Cpr.StartsWith(Marker)).Select(c => new { c.Id, c.MunicipalityId }).ToListAsync(ct);
        var open = (await db.Grants.AsNoTracking().Where(g => g.End == null || g.End >= cutoff).Select(g => g.CitizenId).ToListAsync(ct)).ToHashSet();
        var last = new Dictionary<Guid, LocalDate>();
        void Seen(Guid citizen, LocalDate date)
        {
            if (!last.TryGetValue(citizen, out var d) || date > d)
            {
                last[citizen] = date;
            }
        }
        foreach (var c in await db.Cases.AsNoTracking().Select(c => new { c.CitizenId, c.ReceivedOn }).ToListAsync(ct))
        {
            Seen(c.CitizenId, c.ReceivedOn);
        }
        foreach (var s in await db.CaseSteps.AsNoTracking().Join(db.Cases, s => s.CaseId, c => c.Id, (s, c) => new { c.CitizenId, s.OccurredOn }).ToListAsync(ct))
        {
            Seen(s.CitizenId, s.OccurredOn);
        }
        foreach (var s in await db.Sessions.AsNoTracking().Join(db.Grants, s => s.GrantId, g => g.Id, (s, g) => new { g.CitizenId, s.Date }).ToListAsync(ct))
        {
            Seen(s.CitizenId, s.Date);
        }
        foreach (var g in await db.Grants.AsNoTracking().Where(g => g.End != null).Select(g => new { g.CitizenId, g.End }).ToListAsync(ct))
        {
            Seen(g.CitizenId, g.End!.Value);
        }
        return citizens.Where(c => !open.Contains(c.Id) && last.TryGetValue(c.Id, out var d) && d < cutoff)
            .Select(c => new Candidate(c.Id, c.MunicipalityId, last[c.Id])).ToList();
    }

    /// <summary>Anonymises one citizen in one transaction, with an audit entry; returns false if already done.</summary>
    public static async Task<bool> AnonymiseAsync(LedsagDb db, AuditLog audit, Guid citizenId, CancellationToken ct = default)
    {
        var citizen = await db.Citizens.FirstAsync(c => c.Id == citizenId, ct);
        if (citizen.Cpr.StartsWith(Marker, StringComparison.Ordinal))
        {
            return false;
        }
        var cpr = citizen.Cpr;
        citizen.Cpr = Marker + citizen.Id.ToString("N")[..10];
        citizen.Name = "Anonymiseret borger";
        citizen.BirthDate = new LocalDate(citizen.BirthDate.Year, 1, 1); // the year stays for age statistics
        citizen.Address = citizen.Phone = citizen.Email = citizen.Area = citizen.PreferredLanguage = null;
        citizen.RepresentativeKind = citizen.RepresentativeName = citizen.RepresentativeContact = null;

        var cases = await db.Cases.Where(c => c.CitizenId == citizenId).Select(c => c.Id).ToListAsync(ct);
        foreach (var step in await db.CaseSteps.Where(s => cases.Contains(s.CaseId)).ToListAsync(ct))
        {
            step.Reason = step.Reason is null ? null : Redacted;
            step.DataJson = "{\"anonymiseret\":true}";
        }
        var grants = await db.Grants.Where(g => g.CitizenId == citizenId).ToListAsync(ct);
        foreach (var g in grants)
        {
            g.HoursReason = g.HoursReason is null ? null : Redacted;
            g.EndReason = g.EndReason is null ? null : Redacted;
            g.CashAdministrationAssessment = g.CashAdministrationAssessment is null ? null : Redacted;
        }
        foreach (var stay in await db.StaysAbroad.Where(x => x.CitizenId == citizenId).ToListAsync(ct))
        {
            stay.Country = Redacted;
            stay.DecisionNote = stay.DecisionNote is null ? null : Redacted;
        }
        foreach (var r in await db.RelationDeclarations.Where(x => x.CitizenId == citizenId).ToListAsync(ct))
        {
            r.Description = r.Description is null ? null : Redacted;
            r.ExceptionReason = r.ExceptionReason is null ? null : Redacted;
        }
        var grantIds = grants.Select(g => g.Id).ToList();
        foreach (var a in await db.SavingsAgreements.Where(a => grantIds.Contains(a.GrantId)).ToListAsync(ct))
        {
            a.Purpose = Redacted;
        }
        var planned = await db.PlannedSessions.Where(p => grantIds.Contains(p.GrantId)).ToListAsync(ct);
        foreach (var p in planned)
        {
            p.Note = null;
        }
        var sessions = await db.Sessions.Where(x => grantIds.Contains(x.GrantId)).ToListAsync(ct);
        foreach (var x in sessions.Where(x => x.Reason is not null))
        {
            x.Reason = Redacted; // why a session was reversed may say something about the citizen's health
        }
        foreach (var letter in await db.Letters.Where(l => l.CitizenId == citizenId).ToListAsync(ct))
        {
            letter.Body = Redacted;
            letter.Pdf = null;
        }
        var claims = await db.SubsidyClaims.Where(c => c.CitizenId == citizenId).Select(c => c.Id).ToListAsync(ct);
        // Stored payment files keep the payment (amount, year) for the accounts, not who it was: the CPR number and name become a marker.
        var paidIn = await db.SubsidyClaims.Where(c => c.CitizenId == citizenId && c.PaymentExportId != null).Select(c => c.PaymentExportId!.Value)
            .Concat(db.CashGrantPayments.Where(c => c.CitizenId == citizenId && c.PaymentExportId != null).Select(c => c.PaymentExportId!.Value)).ToListAsync(ct);
        foreach (var file in await db.Exports.Where(e => paidIn.Contains(e.Id)).ToListAsync(ct))
        {
            var rows = Exports.ReadCsv(file.Content);
            foreach (var row in rows.Skip(1).Where(r => r[0] == cpr))
            {
                (row[0], row[1]) = (citizen.Cpr, citizen.Name);
            }
            file.Content = Exports.Csv(new ExportSheet(file.Kind, rows[0], rows.Skip(1).Select(r => (IReadOnlyList<object?>)r).ToList()));
        }
        foreach (var e in await db.SubsidyExpenses.Where(e => claims.Contains(e.ClaimId)).ToListAsync(ct))
        {
            e.What = Redacted;
            e.Receipt = null;
            e.ReceiptFileName = e.ReceiptContentType = null;
        }
        var proposals = await db.MatchProposals.Where(m => m.CitizenId == citizenId).ToListAsync(ct);
        foreach (var m in proposals)
        {
            m.OutcomeNote = null;
        }
        foreach (var u in await db.Users.Where(u => u.CitizenId == citizenId).ToListAsync(ct))
        {
            u.UserName = Marker + u.Id.ToString("N");
            u.DisplayName = "Anonymiseret borger";
            u.PasswordHash = null;
            u.ExternalSubject = null;
        }
        // The audit log keeps who did what and when about this citizen; its words (which may name them) go.
        var about = new List<string> { citizenId.ToString() };
        about.AddRange(cases.Select(c => c.ToString()));
        about.AddRange(grantIds.Select(g => g.ToString()));
        about.AddRange(sessions.Select(x => x.Id.ToString()));
        about.AddRange(planned.Select(p => p.Id.ToString()));
        about.AddRange(claims.Select(c => c.ToString()));
        about.AddRange(proposals.Select(m => m.Id.ToString()));
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await AuditLog.EraseDetailsAsync(db, about, ct);
        audit.Add(db, null, "anonymise", "citizen", citizenId.ToString(), $"opbevaringsperioden udløbet; {cases.Count} sager, {grants.Count} bevillinger bevaret uden personoplysninger");
        await audit.SaveAsync(db, ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
        return true;
    }
}
