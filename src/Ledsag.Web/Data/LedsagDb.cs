using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;

namespace Ledsag.Web.Data;

/// <summary>
/// Ledsag's database. The provider-specific subclasses exist so each provider has its own migrations
/// (Data/Migrations/Sqlite, Data/Migrations/Postgres); the model is the same.
/// </summary>
public abstract class LedsagDb(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>A grant by id, tracked: every grant-scoped request starts here, so the query is compiled once per flavour.</summary>
    public abstract Task<Grant?> GrantAsync(Guid id, CancellationToken ct);

    public DbSet<Municipality> Municipalities => Set<Municipality>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Citizen> Citizens => Set<Citizen>();
    public DbSet<Companion> Companions => Set<Companion>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<Case> Cases => Set<Case>();
    public DbSet<CaseStep> CaseSteps => Set<CaseStep>();
    public DbSet<Deadline> Deadlines => Set<Deadline>();
    public DbSet<Grant> Grants => Set<Grant>();
    public DbSet<SavingsAgreementRow> SavingsAgreements => Set<SavingsAgreementRow>();
    public DbSet<SessionRow> Sessions => Set<SessionRow>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<MatchProposal> MatchProposals => Set<MatchProposal>();
    public DbSet<PlannedSession> PlannedSessions => Set<PlannedSession>();
    public DbSet<SubsidyRate> SubsidyRates => Set<SubsidyRate>();
    public DbSet<SubsidyClaim> SubsidyClaims => Set<SubsidyClaim>();
    public DbSet<SubsidyExpense> SubsidyExpenses => Set<SubsidyExpense>();
    public DbSet<ExportFile> Exports => Set<ExportFile>();
    public DbSet<Letter> Letters => Set<Letter>();
    public DbSet<Provider> Providers => Set<Provider>();
    public DbSet<RelationDeclaration> RelationDeclarations => Set<RelationDeclaration>();
    public DbSet<StayAbroad> StaysAbroad => Set<StayAbroad>();
    public DbSet<CashGrantRate> CashGrantRates => Set<CashGrantRate>();
    public DbSet<CashGrantPayment> CashGrantPayments => Set<CashGrantPayment>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder b)
    {
        b.Properties<LocalDate>().HaveConversion<LocalDateConverter>();
        b.Properties<LocalTime>().HaveConversion<LocalTimeConverter>();
        b.Properties<Instant>().HaveConversion<InstantConverter>();
        b.Properties<decimal>().HavePrecision(12, 2);
        b.Properties<string>().HaveMaxLength(4000);
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Municipality>().Property(m => m.Id).HasMaxLength(40);
        b.Entity<User>().HasIndex(u => u.UserName).IsUnique();
        b.Entity<User>().Property(u => u.Role).HasConversion<string>().HasMaxLength(20);
        b.Entity<ApiToken>().HasIndex(t => t.TokenHash).IsUnique();
        b.Entity<Citizen>().HasIndex(c => new { c.MunicipalityId, c.Cpr }).IsUnique();
        // One running assignment per companion and citizen, also under parallel requests.
        b.Entity<Assignment>().HasIndex(a => new { a.CompanionId, a.CitizenId }).IsUnique().HasFilter("\"EndedOn\" IS NULL");
        b.Entity<Case>().HasIndex(c => c.Number).IsUnique();
        b.Entity<Case>().HasIndex(c => c.CitizenId);
        b.Entity<Case>().Property(c => c.State).HasConversion<string>().HasMaxLength(30);
        b.Entity<Case>().Property(c => c.Version).IsConcurrencyToken();
        b.Entity<CaseStep>().HasIndex(s => new { s.CaseId, s.RecordedAt });
        // A step's data holds the engine's whole trace or the decision check's defects with their sources.
        b.Entity<CaseStep>().Property(s => s.DataJson).HasMaxLength(200_000);
        b.Entity<Deadline>().HasIndex(d => new { d.MunicipalityId, d.ClosedOn, d.DueOn });
        b.Entity<Deadline>().HasIndex(d => d.CaseId);
        b.Entity<Grant>().HasIndex(g => g.CitizenId);
        // One grant in force per citizen (SEL § 97: one right, one grant): a second is a unique violation, also under parallel requests.
        b.Entity<Grant>().HasIndex(g => g.InForceCitizenId).IsUnique();
        b.Entity<Grant>().Property(g => g.Version).IsConcurrencyToken();
        b.Entity<SavingsAgreementRow>().HasIndex(a => a.GrantId);
        // A grant's ledger is replayed from its sessions in booking order (date, sequence); the index carries
        // every column the replay reads, so a grant whose sessions are spread over five years of the table is
        // one range of the index, not a page read per session.
        if (Database.IsNpgsql())
        {
            b.Entity<SessionRow>().HasIndex(s => new { s.GrantId, s.Date, s.Sequence }).IncludeProperties(s => new { s.Minutes, s.ReversalOf, s.Id });
        }
        else
        {
            b.Entity<SessionRow>().HasIndex(s => new { s.GrantId, s.Date, s.Sequence, s.Minutes, s.ReversalOf, s.Id });
        }
        b.Entity<SessionRow>().HasIndex(s => new { s.GrantId, s.IdempotencyKey }).IsUnique();
        // Each municipality's audit chain is its own line: sequence numbers and previous hashes are unique within a chain
        // once sealed (a second sealer's clash is a unique violation); a sealer claims an entry only while it is unsealed.
        b.Entity<AuditEntry>().Property(a => a.Chain).HasMaxLength(40);
        b.Entity<AuditEntry>().Property(a => a.Sequence).IsConcurrencyToken();
        b.Entity<AuditEntry>().HasIndex(a => new { a.Chain, a.Sequence }).IsUnique().HasFilter("\"Sequence\" > 0");
        b.Entity<AuditEntry>().HasIndex(a => new { a.Chain, a.PreviousHash }).IsUnique().HasFilter("\"Sequence\" > 0");
        b.Entity<AuditEntry>().HasIndex(a => new { a.Chain, a.Id }).HasFilter("\"Sequence\" = 0").HasDatabaseName("IX_Audit_Unsealed");
        b.Entity<AuditEntry>().HasIndex(a => a.At);
        b.Entity<Companion>().Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        b.Entity<Companion>().Property(c => c.Version).IsConcurrencyToken();
        b.Entity<Companion>().HasIndex(c => c.FeedToken).IsUnique();
        b.Entity<MatchProposal>().HasIndex(p => new { p.CitizenId, p.CompanionId });
        // A proposal gets one outcome: a parallel answer finds it answered and fails on saving.
        b.Entity<MatchProposal>().Property(p => p.Outcome).IsConcurrencyToken();
        b.Entity<PlannedSession>().HasIndex(p => new { p.CompanionId, p.Date });
        b.Entity<PlannedSession>().HasIndex(p => p.GrantId);
        b.Entity<SessionRow>().HasIndex(s => new { s.CompanionId, s.Date });
        b.Entity<SessionRow>().HasIndex(s => s.PayrollExportId);
        // A session is paid by one payroll file: the export's update says "where not yet exported", so a
        // parallel export of another month that read the same session fails on saving and builds again.
        b.Entity<SessionRow>().Property(s => s.PayrollExportId).IsConcurrencyToken();
        // Confirmed once: a parallel confirmation finds the session confirmed already and fails on saving.
        b.Entity<SessionRow>().Property(s => s.ConfirmedAt).IsConcurrencyToken();
        // A municipality's own amount: one administrator cannot set another municipality's.
        b.Entity<SubsidyRate>().HasKey(r => new { r.MunicipalityId, r.Year });
        b.Entity<SubsidyRate>().Property(r => r.Year).ValueGeneratedNever();
        b.Entity<SubsidyRate>().Property(r => r.MunicipalityId).HasMaxLength(40);
        // The subsidy is claimed once a year (BEK 235/2012 § 9): one claim per citizen and year that is not
        // refused, also under parallel requests; a decision or payment changes a claim only from the status it read.
        b.Entity<SubsidyClaim>().HasIndex(c => new { c.CitizenId, c.Year }).IsUnique().HasFilter("\"Status\" <> 'rejected'");
        b.Entity<SubsidyClaim>().Property(c => c.Status).IsConcurrencyToken();
        b.Entity<SubsidyExpense>().HasIndex(e => e.ClaimId);
        b.Entity<SubsidyExpense>().Property(e => e.Receipt).HasMaxLength(5 * 1024 * 1024);
        b.Entity<ExportFile>().HasIndex(e => new { e.MunicipalityId, e.Kind, e.Period }).IsUnique();
        b.Entity<ExportFile>().Property(e => e.Content).HasMaxLength(50_000_000);
        b.Entity<Letter>().HasIndex(l => l.CitizenId);
        b.Entity<Letter>().HasIndex(l => new { l.MunicipalityId, l.Status });
        b.Entity<Letter>().Property(l => l.Pdf).HasMaxLength(20 * 1024 * 1024);
        b.Entity<Letter>().Property(l => l.Body).HasMaxLength(20000);
        b.Entity<Letter>().HasIndex(l => l.DedupKey).IsUnique();
        // One receipt per letter: a receipt is saved only where none was there when it was read, so of two at once one fails on saving.
        b.Entity<Letter>().Property(l => l.ReceiptMessageId).HasMaxLength(200).IsConcurrencyToken();
        b.Entity<Letter>().Property(l => l.ReceiptStatus).HasMaxLength(20);
        b.Entity<Provider>().HasIndex(p => new { p.MunicipalityId, p.Cvr }).IsUnique();
        // One declaration per companion and citizen: a second (or a parallel one) is a unique violation.
        b.Entity<RelationDeclaration>().HasIndex(r => new { r.CompanionId, r.CitizenId }).IsUnique();
        b.Entity<StayAbroad>().HasIndex(s => new { s.GrantId, s.From });
        b.Entity<StayAbroad>().Property(s => s.Status).IsConcurrencyToken();
        b.Entity<CashGrantRate>().HasKey(r => new { r.MunicipalityId, r.Year });
        b.Entity<CashGrantRate>().Property(r => r.Year).ValueGeneratedNever();
        b.Entity<CashGrantRate>().Property(r => r.MunicipalityId).HasMaxLength(40);
        // A quarter of a cash grant is paid once, also when two payment runs race.
        b.Entity<CashGrantPayment>().HasIndex(p => new { p.GrantId, p.Year, p.Quarter }).IsUnique();
        b.Entity<CashGrantPayment>().HasIndex(p => new { p.MunicipalityId, p.Year });
    }

    private sealed class LocalDateConverter() : ValueConverter<LocalDate, DateOnly>(d => d.ToDateOnly(), d => LocalDate.FromDateOnly(d));

    private sealed class LocalTimeConverter() : ValueConverter<LocalTime, TimeOnly>(t => t.ToTimeOnly(), t => LocalTime.FromTimeOnly(t));

    private sealed class InstantConverter() : ValueConverter<Instant, DateTime>(i => i.ToDateTimeUtc(), d => Instant.FromDateTimeUtc(DateTime.SpecifyKind(d, DateTimeKind.Utc)));
}

/// <summary>The SQLite flavour (the embedded default).</summary>
public sealed class SqliteLedsagDb(DbContextOptions<SqliteLedsagDb> options) : LedsagDb(options)
{
    private static readonly Func<SqliteLedsagDb, Guid, CancellationToken, Task<Grant?>> GrantQuery =
        EF.CompileAsyncQuery((SqliteLedsagDb db, Guid id, CancellationToken ct) => db.Grants.FirstOrDefault(g => g.Id == id));

    public override Task<Grant?> GrantAsync(Guid id, CancellationToken ct) => GrantQuery(this, id, ct);
}

/// <summary>The PostgreSQL flavour (production).</summary>
public sealed class PostgresLedsagDb(DbContextOptions<PostgresLedsagDb> options) : LedsagDb(options)
{
    private static readonly Func<PostgresLedsagDb, Guid, CancellationToken, Task<Grant?>> GrantQuery =
        EF.CompileAsyncQuery((PostgresLedsagDb db, Guid id, CancellationToken ct) => db.Grants.FirstOrDefault(g => g.Id == id));

    public override Task<Grant?> GrantAsync(Guid id, CancellationToken ct) => GrantQuery(this, id, ct);
}
