using Ledsag.Domain.Cases;
using NodaTime;

namespace Ledsag.Web.Data;

/// <summary>A municipality (kommune), bound to its standard file by id.</summary>
public sealed class Municipality
{
    public required string Id { get; set; }
    public required string Name { get; set; }
}

/// <summary>The roles of Ledsag's users, each scoped to one municipality.</summary>
public enum Role
{
    Administrator,
    Caseworker,
    Coordinator,
    Companion,
    Citizen,
    Finance,
}

/// <summary>A user (bruger): a local account or one signed in through OpenID Connect.</summary>
public sealed class User
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public required string UserName { get; set; }
    public required string DisplayName { get; set; }
    /// <summary>Direct phone, printed on the letters this person signs.</summary>
    public string? Phone { get; set; }
    /// <summary>Direct e-mail, printed on the letters this person signs.</summary>
    public string? Email { get; set; }
    public Role Role { get; set; }
    public string? PasswordHash { get; set; }
    public string? ExternalSubject { get; set; }
    /// <summary>Changes at sign-out and when the account is disabled or its password reset: every cookie issued before stops working.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    /// <summary>A disabled account cannot sign in, and its cookies and tokens stop working.</summary>
    public Instant? DisabledAt { get; set; }
    public Guid? CitizenId { get; set; }
    public Guid? CompanionId { get; set; }
}

/// <summary>A token for an integration (Digital Post gateway, payroll), stored as a hash only.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    public required string TokenHash { get; set; }
    public Instant CreatedAt { get; set; }
    /// <summary>A token works until this moment (default 90 days after it was made; <c>Security:TokenDays</c>).</summary>
    public Instant ExpiresAt { get; set; }
    public Instant? RevokedAt { get; set; }
}

/// <summary>A citizen (borger). The CPR number is never put in a URL or a log line.</summary>
public sealed class Citizen
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public required string Cpr { get; set; }
    public LocalDate BirthDate { get; set; }
    public required string Name { get; set; }
    public string? Address { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public bool EarlyRetirementPension { get; set; }
    public string? Area { get; set; }
    public string? PreferredLanguage { get; set; }
    public bool NeedsWheelchairHelp { get; set; }
    public bool WantsDriver { get; set; }
    public string? RepresentativeKind { get; set; }
    public string? RepresentativeName { get; set; }
    public string? RepresentativeContact { get; set; }
}

/// <summary>A companion's way through recruitment: applicant → approved → employed → ended.</summary>
public enum CompanionStatus
{
    Applicant,
    Approved,
    Employed,
    Ended,
}

/// <summary>A companion (ledsager): the person, their skills and availability, approval and employment.</summary>
public sealed class Companion
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public required string Name { get; set; }
    public string? Cpr { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string? Area { get; set; }
    public string? Languages { get; set; }
    /// <summary>Weekdays the companion can work, as ISO numbers "1,3,6" (Monday = 1).</summary>
    public string? Availability { get; set; }
    public bool DrivingLicence { get; set; }
    public bool WheelchairExperience { get; set; }
    /// <summary>municipality, provider or cash_grant (the citizen employs, § 97 stk. 5, only where the standard offers it).</summary>
    public string Employer { get; set; } = "municipality";
    /// <summary>The provider that employs the companion, when <see cref="Employer"/> is provider.</summary>
    public Guid? ProviderId { get; set; }
    public CompanionStatus Status { get; set; }
    public LocalDate? CriminalRecordDate { get; set; }
    public bool? CriminalRecordClean { get; set; }
    public Guid? NominatedByCitizenId { get; set; }
    /// <summary>The secret part of the companion's iCalendar feed address.</summary>
    public string FeedToken { get; set; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    /// <summary>Bumped by every registration with this companion, so two racing registrations cannot both pass the overlap check.</summary>
    public int Version { get; set; }
}

/// <summary>
/// A provider (leverandør) that employs companions for the municipality (Lejre's partner, Ballerup's external
/// provider): a legal entity with a CVR number and a contact, not a label.
/// </summary>
public sealed class Provider
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public required string Name { get; set; }
    /// <summary>The CVR number, eight digits.</summary>
    public required string Cvr { get; set; }
    public string? ContactName { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public Instant CreatedAt { get; set; }
}

/// <summary>
/// The declaration of the relation between a companion and one citizen (SEL § 97 stk. 4: a person with a very
/// close connection is normally not employed). Made per companion and citizen, before approval or assignment;
/// a close relation needs a caseworker's reasoned exception.
/// </summary>
public sealed class RelationDeclaration
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public Guid CompanionId { get; set; }
    public Guid CitizenId { get; set; }
    /// <summary>none, spouse, partner, parent, child, sibling, other_family, other_close.</summary>
    public required string Relation { get; set; }
    public string? Description { get; set; }
    public LocalDate DeclaredOn { get; set; }
    public Guid RecordedBy { get; set; }
    public Instant RecordedAt { get; set; }
    public string? ExceptionReason { get; set; }
    public Guid? ExceptionBy { get; set; }
}

/// <summary>
/// A temporary stay abroad (udlandsbekendtgørelsen): up to one month keeps the hours usable on notice; a longer
/// stay needs an application decided before leaving.
/// </summary>
public sealed class StayAbroad
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public Guid GrantId { get; set; }
    public Guid CitizenId { get; set; }
    public LocalDate From { get; set; }
    public LocalDate To { get; set; }
    public required string Country { get; set; }
    public LocalDate NotifiedOn { get; set; }
    /// <summary>notified (up to a month), applied, approved, refused.</summary>
    public required string Status { get; set; }
    public Guid? DecidedBy { get; set; }
    public LocalDate? DecidedOn { get; set; }
    public string? DecisionNote { get; set; }
    public Instant CreatedAt { get; set; }
}

/// <summary>The hourly amount of the cash grant (kontant tilskud, SEL § 97 stk. 5) for a year, with the municipality's own cost that caps it (BEK § 11).</summary>
public sealed class CashGrantRate
{
    public required string MunicipalityId { get; set; }
    public int Year { get; set; }
    public decimal HourlyAmount { get; set; }
    public decimal OwnCostPerHour { get; set; }
    public required string Source { get; set; }
    public Guid EnteredBy { get; set; }
    public Instant EnteredAt { get; set; }
}

/// <summary>One quarter's payment of a cash grant, paid once (unique per grant and quarter) in a payment file.</summary>
public sealed class CashGrantPayment
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public Guid GrantId { get; set; }
    public Guid CitizenId { get; set; }
    public int Year { get; set; }
    public int Quarter { get; set; }
    public decimal Hours { get; set; }
    public decimal Rate { get; set; }
    public decimal Amount { get; set; }
    public Guid? PaymentExportId { get; set; }
    public Instant CreatedAt { get; set; }
}

/// <summary>A coordinator's proposal of a companion to a citizen, the meeting and its outcome.</summary>
public sealed class MatchProposal
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public Guid CitizenId { get; set; }
    public Guid CompanionId { get; set; }
    public LocalDate ProposedOn { get; set; }
    public LocalDate? MeetingOn { get; set; }
    public string? Outcome { get; set; }
    public string? OutcomeNote { get; set; }
}

/// <summary>A planned session in the calendar; it uses no hours until it is registered as completed.</summary>
public sealed class PlannedSession
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid GrantId { get; set; }
    public Guid? CompanionId { get; set; }
    public LocalDate Date { get; set; }
    public LocalTime Start { get; set; }
    public LocalTime End { get; set; }
    public required string Activity { get; set; }
    public string? Note { get; set; }
    public Instant? CancelledAt { get; set; }
}

/// <summary>A § 97 stk. 7 yearly amount entered by an administrator (a year national.yaml does not know).</summary>
public sealed class SubsidyRate
{
    public required string MunicipalityId { get; set; }
    public int Year { get; set; }
    public decimal Amount { get; set; }
    public required string Source { get; set; }
    public Guid EnteredBy { get; set; }
    public Instant EnteredAt { get; set; }
}

/// <summary>A citizen's claim for the yearly subsidy (§ 97 stk. 7).</summary>
public sealed class SubsidyClaim
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public Guid CitizenId { get; set; }
    public int Year { get; set; }
    public LocalDate SubmittedOn { get; set; }
    public required string Status { get; set; }
    public decimal ClaimedAmount { get; set; }
    public decimal? ApprovedAmount { get; set; }
    public string? CapReason { get; set; }
    public Guid? DecidedBy { get; set; }
    public LocalDate? DecidedOn { get; set; }
    public Guid? PaymentExportId { get; set; }
}

/// <summary>One expense of a subsidy claim, with its receipt.</summary>
public sealed class SubsidyExpense
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid ClaimId { get; set; }
    public LocalDate Date { get; set; }
    public required string What { get; set; }
    public decimal Amount { get; set; }
    public string? ReceiptFileName { get; set; }
    public string? ReceiptContentType { get; set; }
    public byte[]? Receipt { get; set; }
}

/// <summary>A file handed to another system: payroll hours or NemKonto payments. Stored, so a repeat gives the same file.</summary>
public sealed class ExportFile
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public required string Kind { get; set; }
    public required string Period { get; set; }
    public Instant CreatedAt { get; set; }
    public Guid CreatedBy { get; set; }
    public required string Content { get; set; }
}

/// <summary>A letter in the outbox, picked up by the municipality's Digital Post gateway.</summary>
public sealed class Letter
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public Guid CitizenId { get; set; }
    public Guid? CaseId { get; set; }
    public required string Kind { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public Instant CreatedAt { get; set; }
    public string Status { get; set; } = "queued";
    /// <summary>The letter as the citizen receives it (A4 PDF).</summary>
    public byte[]? Pdf { get; set; }
    public Instant? SentAt { get; set; }
    /// <summary>Makes a letter that must go once (a lapse reminder for one lapse) go once, also across instances.</summary>
    public string? DedupKey { get; set; }
    /// <summary>
    /// The Digital Post gateway's receipt: its id for the message it sent. A letter has one receipt; the same one
    /// reported again changes nothing, another one is refused (a concurrency token, so it is the database that decides).
    /// </summary>
    public string? ReceiptMessageId { get; set; }
    /// <summary>How the letter reached the citizen, by the receipt: <c>delivered</c> (digital mailbox) or <c>printed</c> (sent on paper).</summary>
    public string? ReceiptStatus { get; set; }
    /// <summary>When Digital Post received the message, by the receipt.</summary>
    public Instant? ReceiptAt { get; set; }
}

/// <summary>A companion assigned to accompany a citizen (from the coordinator's matching).</summary>
public sealed class Assignment
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid CompanionId { get; set; }
    public Guid CitizenId { get; set; }
    public LocalDate From { get; set; }
    public LocalDate? EndedOn { get; set; }
}

/// <summary>A case (sag) about one citizen's application for the companion scheme.</summary>
public sealed class Case
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public required string MunicipalityId { get; set; }
    public Guid CitizenId { get; set; }
    public required string Number { get; set; }
    public CaseState State { get; set; }
    public Guid? CaseworkerId { get; set; }
    public LocalDate ReceivedOn { get; set; }
    public required string Channel { get; set; }
    public string? RoutedTo { get; set; }
    public int Version { get; set; }
}

/// <summary>One step of a case's workflow, recorded with who, when and why. Steps are never edited.</summary>
public sealed class CaseStep
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid CaseId { get; set; }
    public required string Kind { get; set; }
    public LocalDate OccurredOn { get; set; }
    public Instant RecordedAt { get; set; }
    /// <summary>The case's version after this step: orders steps recorded in the same instant (one request records several).</summary>
    public int CaseVersion { get; set; }
    public Guid? ActorId { get; set; }
    public string? Reason { get; set; }
    public required string DataJson { get; set; }
}

/// <summary>A due date an open step has, from the engine; met or cancelled when the step is done.</summary>
public sealed class Deadline
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid CaseId { get; set; }
    public required string MunicipalityId { get; set; }
    public required string Kind { get; set; }
    public LocalDate DueOn { get; set; }
    public required string Source { get; set; }
    public LocalDate? ClosedOn { get; set; }
    public string? ClosedHow { get; set; }
}

/// <summary>A grant (bevilling) of companion hours.</summary>
public sealed class Grant
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid CaseId { get; set; }
    public Guid CitizenId { get; set; }
    public required string MunicipalityId { get; set; }
    public LocalDate Start { get; set; }
    public LocalDate? End { get; set; }
    public int MinutesPerMonth { get; set; }
    public string? HoursReason { get; set; }
    public string? EndReason { get; set; }
    /// <summary>Bumped by every registration: two writers racing on one grant cannot both win.</summary>
    public int Version { get; set; }
    /// <summary>The grant this one replaced on the same matter (after a complaint, a reassessment or a new application).</summary>
    public Guid? ReplacesGrantId { get; set; }
    /// <summary>The first day of the chain of grants this one continues; the ledger runs from here (null: <see cref="Start"/>).</summary>
    public LocalDate? LedgerStart { get; set; }
    /// <summary>The earlier grants' figures in the chain, "yyyy-MM-dd:minutes;…" in date order (null when none).</summary>
    public string? EarlierHours { get; set; }
    /// <summary>Set while the grant is in force (not ended); unique per citizen, so two grants in force at once is a database error.</summary>
    public Guid? InForceCitizenId { get; set; }
    /// <summary>hours, or cash: the hours paid as a cash grant to a companion the citizen employs (SEL § 97 stk. 5).</summary>
    public string Form { get; set; } = "hours";
    /// <summary>When the citizen chose the cash grant.</summary>
    public LocalDate? CashChosenOn { get; set; }
    /// <summary>The caseworker's record that the citizen can administer the cash grant (employ, plan, account).</summary>
    public string? CashAdministrationAssessment { get; set; }
}

/// <summary>A savings agreement (aftale om opsparing) under a grant.</summary>
public sealed class SavingsAgreementRow
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid GrantId { get; set; }
    public LocalDate From { get; set; }
    public LocalDate To { get; set; }
    public required string Purpose { get; set; }
    /// <summary>The day the agreement was made: it covers only months ending on or after it (BEK 235/2012 § 6 stk. 1).</summary>
    public LocalDate AgreedOn { get; set; }
    /// <summary>The companion the hours are saved with (Brønderslev's terms).</summary>
    public Guid? CompanionId { get; set; }
    /// <summary>Who pays the companion's expenses (Brønderslev's terms).</summary>
    public string? CompanionExpenses { get; set; }
}

/// <summary>A session (ledsagelse) booked against a grant. A correction is a reversing row, never an edit.</summary>
public sealed class SessionRow
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid GrantId { get; set; }
    public LocalDate Date { get; set; }
    public LocalTime? StartTime { get; set; }
    public LocalTime? EndTime { get; set; }
    public int Minutes { get; set; }
    public required string Activity { get; set; }
    public Guid? CompanionId { get; set; }
    public decimal Km { get; set; }
    public Guid RegisteredBy { get; set; }
    public required string RegisteredByRole { get; set; }
    public Instant RegisteredAt { get; set; }
    public string? IdempotencyKey { get; set; }
    public long Sequence { get; set; }
    /// <summary>Of <see cref="Minutes"/>: a trip's return journey, waiting and overnight stay (BEK § 6 stk. 5).</summary>
    public int TripMinutes { get; set; }
    /// <summary>The companion's travel between tasks: recorded, not counted (BEK § 6 stk. 4).</summary>
    public int TravelMinutesNotCounted { get; set; }
    public Guid? ConfirmedBy { get; set; }
    public Instant? ConfirmedAt { get; set; }
    public bool ConfirmedOnBehalf { get; set; }
    /// <summary>Set on a reversing entry: the session it cancels (with negative minutes).</summary>
    public Guid? ReversalOf { get; set; }
    public string? Reason { get; set; }
    public Guid? PayrollExportId { get; set; }
    /// <summary>Set when the session took place during a registered stay abroad.</summary>
    public Guid? StayAbroadId { get; set; }
    /// <summary>
    /// On a reversing entry: the citizen objected that the session did not take place (indsigelse). It stops
    /// counting at once; a caseworker decides — upheld, it stays reversed; not upheld, it is booked again.
    /// </summary>
    public bool Objection { get; set; }
    public Instant? ObjectionDecidedAt { get; set; }
    public bool? ObjectionUpheld { get; set; }
    public Guid? ObjectionDecidedBy { get; set; }
}

/// <summary>An append-only, hash-chained audit entry.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    /// <summary>
    /// The chain the entry belongs to: its municipality's id, or "" for entries without a municipality (sign-ins of
    /// unknown names, operator commands) and for the one chain a log had before chains were kept per municipality.
    /// </summary>
    public string Chain { get; set; } = "";
    /// <summary>The entry's place in its chain (1, 2, …), assigned when it is sealed; 0 while it waits to be sealed.</summary>
    public long Sequence { get; set; }
    public Instant At { get; set; }
    public string? MunicipalityId { get; set; }
    public Guid? UserId { get; set; }
    public required string Action { get; set; }
    public required string Entity { get; set; }
    public string? EntityId { get; set; }
    /// <summary>What happened, in words; may name a person, so it is erased at anonymisation (its hash stays).</summary>
    public string? Detail { get; set; }
    /// <summary>SHA-256 of the detail: the chain covers this, so an erased detail leaves the chain intact.</summary>
    public string? DetailHash { get; set; }
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
    /// <summary>HMAC of the hash with a key outside the database (<see cref="Infrastructure.MasterKey"/>): the anchor.</summary>
    public string? Mac { get; set; }
}
