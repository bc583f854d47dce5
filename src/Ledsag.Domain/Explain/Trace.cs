namespace Ledsag.Domain.Explain;

/// <summary>
/// One step of the reasoning behind an outcome: the rule or parameter applied, what it gave,
/// and its source (law, BEK, or the standard's own sentence). The trace is what a caseworker or
/// an auditor reads to see why.
/// </summary>
/// <param name="Rule">The rule's stable name or the parameter's key.</param>
/// <param name="Detail">What was applied and what it gave, in Danish.</param>
/// <param name="Source">The legal or standard source, quoted.</param>
public sealed record TraceStep(string Rule, string Detail, string Source);
