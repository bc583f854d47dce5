namespace Ledsag.Domain.Cases;

/// <summary>Where a case (sag) stands.</summary>
public enum CaseState
{
    /// <summary>Ansøgning modtaget.</summary>
    Received,
    /// <summary>Under udredning (samtale, samtykke, VUM).</summary>
    InAssessment,
    /// <summary>Udkast sendt i partshøring.</summary>
    Consultation,
    /// <summary>Bevilget.</summary>
    Granted,
    /// <summary>Afslået.</summary>
    Refused,
    /// <summary>Klage modtaget, genvurderes.</summary>
    ComplaintReceived,
    /// <summary>Delvist medhold: ny afgørelse for den del, klagen videresendes for resten.</summary>
    ComplaintPartlyUpheld,
    /// <summary>Klagen sendt til Ankestyrelsen.</summary>
    ComplaintForwarded,
    /// <summary>Afsluttet (bevillingen er ophørt).</summary>
    Closed,
}

/// <summary>The steps a caseworker records on a case.</summary>
public enum CaseEvent
{
#pragma warning disable CS1591 // the Danish title of each is in Title().
    Conversation,
    Consent,
    Assessment,
    Draft,
    DraftAnswer,
    Decision,
    DelayLetter,
    Complaint,
    Reassessment,
    ComplaintMaintained,
    Forwarded,
    HelpStarted,
    FollowUp,
    GrantEnded,
#pragma warning restore CS1591
}

/// <summary>A guard that refused a step: its stable name, the Danish reason and the source behind it.</summary>
public sealed record GuardFailure(string Rule, string Message, string Source);

/// <summary>
/// The case lifecycle as a pure state machine: which step may be recorded in which state, and the state it
/// leads to. Endpoints and pages ask it before they record anything; nothing here touches a database.
/// </summary>
public static class CaseLifecycle
{
    private static readonly CaseState[] Open = [CaseState.Received, CaseState.InAssessment, CaseState.Consultation];
    private static readonly CaseState[] Decided = [CaseState.Granted, CaseState.Refused];

    /// <summary>The states each step may be recorded in.</summary>
    public static readonly IReadOnlyDictionary<CaseEvent, CaseState[]> AllowedIn = new Dictionary<CaseEvent, CaseState[]>
    {
        [CaseEvent.Conversation] = [CaseState.Received, CaseState.InAssessment],
        [CaseEvent.Consent] = Open,
        [CaseEvent.Assessment] = Open,
        // A draft may precede a first decision, a new decision after a complaint, or the end of a grant.
        [CaseEvent.Draft] = [.. Open, CaseState.Granted, CaseState.ComplaintPartlyUpheld],
        [CaseEvent.DraftAnswer] = [.. Open, CaseState.Granted, CaseState.ComplaintPartlyUpheld],
        // After full medhold the case is back in assessment; after partial medhold the upheld part is decided anew;
        // after forwarding, a decision implementing Ankestyrelsen's ruling may follow.
        [CaseEvent.Decision] = [.. Open, CaseState.ComplaintPartlyUpheld, CaseState.ComplaintForwarded],
        [CaseEvent.DelayLetter] = Open,
        // A grant that ended because the citizen is no longer in the target group is a decision that can be complained about.
        // After partial medhold the new decision carries klagevejledning, so a complaint about it can be received.
        [CaseEvent.Complaint] = [.. Decided, CaseState.Closed, CaseState.ComplaintPartlyUpheld],
        [CaseEvent.Reassessment] = [CaseState.ComplaintReceived],
        [CaseEvent.ComplaintMaintained] = [CaseState.ComplaintPartlyUpheld],
        [CaseEvent.Forwarded] = [CaseState.ComplaintReceived, CaseState.ComplaintPartlyUpheld],
        [CaseEvent.HelpStarted] = [CaseState.Granted, CaseState.ComplaintReceived, CaseState.ComplaintPartlyUpheld, CaseState.ComplaintForwarded],
        [CaseEvent.FollowUp] = [CaseState.Granted, CaseState.ComplaintReceived, CaseState.ComplaintPartlyUpheld, CaseState.ComplaintForwarded],
        [CaseEvent.GrantEnded] = [CaseState.Granted, CaseState.ComplaintReceived, CaseState.ComplaintPartlyUpheld, CaseState.ComplaintForwarded, CaseState.Closed],
    };

    /// <summary>Null when <paramref name="e"/> may be recorded in <paramref name="state"/>, else why not.</summary>
    public static GuardFailure? Guard(CaseState state, CaseEvent e) =>
        AllowedIn[e].Contains(state)
            ? null
            : new GuardFailure("WRONG_STATE", $"{Title(e)} kan ikke registreres, når sagen har status {Danish(state)}.", "Sagens forløb (Ledsag)");

    /// <summary>The state a decision leads to: the outcome, unless a complaint is still on its way to Ankestyrelsen.</summary>
    public static CaseState AfterDecision(CaseState before, bool granted) => before switch
    {
        // Partial medhold: the part not upheld is still forwarded (retssikkerhedsloven § 66).
        CaseState.ComplaintPartlyUpheld => CaseState.ComplaintPartlyUpheld,
        _ => granted ? CaseState.Granted : CaseState.Refused,
    };

    /// <summary>The state after a reassessment: full medhold reopens the case for a new decision.</summary>
    public static CaseState AfterReassessment(string outcome) => outcome switch
    {
        "full" => CaseState.InAssessment,
        "partial" => CaseState.ComplaintPartlyUpheld,
        _ => CaseState.ComplaintReceived,
    };

    /// <summary>The Danish word for a state, as the pages and errors show it.</summary>
    public static string Danish(CaseState s) => s switch
    {
        CaseState.Received => "modtaget",
        CaseState.InAssessment => "under udredning",
        CaseState.Consultation => "i partshøring",
        CaseState.Granted => "bevilget",
        CaseState.Refused => "afslået",
        CaseState.ComplaintReceived => "klage modtaget",
        CaseState.ComplaintPartlyUpheld => "delvist medhold i klagen",
        CaseState.ComplaintForwarded => "sendt til Ankestyrelsen",
        _ => "afsluttet",
    };

    /// <summary>The Danish name of a step, as an error message starts.</summary>
    public static string Title(CaseEvent e) => e switch
    {
        CaseEvent.Conversation => "En samtale",
        CaseEvent.Consent => "Samtykke",
        CaseEvent.Assessment => "En udredning",
        CaseEvent.Draft => "Et udkast til afgørelse",
        CaseEvent.DraftAnswer => "Borgerens svar på partshøringen",
        CaseEvent.Decision => "En afgørelse",
        CaseEvent.DelayLetter => "Et brev om forsinkelse",
        CaseEvent.Complaint => "En klage",
        CaseEvent.Reassessment => "En genvurdering",
        CaseEvent.ComplaintMaintained => "At klagen fastholdes",
        CaseEvent.Forwarded => "Videresendelse til Ankestyrelsen",
        CaseEvent.HelpStarted => "At hjælpen er iværksat",
        CaseEvent.FollowUp => "En opfølgning",
        _ => "Ophør af bevillingen",
    };
}
