namespace Ledsag.Domain.Text;

/// <summary>One thing wrong in a rule file (a standard or a case): where it is and why.</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Line">1-based line, 0 when the file could not be read at all.</param>
/// <param name="Key">The key path that is wrong (e.g. <c>parameters.processing_time[0].value</c>), or empty.</param>
/// <param name="Reason">What is wrong, in Danish for the operator.</param>
public sealed record RuleFileError(string File, int Line, string Key, string Reason)
{
    /// <inheritdoc />
    public override string ToString() =>
        Key.Length == 0 ? $"{File}:{Line}: {Reason}" : $"{File}:{Line}: {Key}: {Reason}";
}

/// <summary>A rule file that cannot be used; carries every error found in it.</summary>
public sealed class RuleFileException(IReadOnlyList<RuleFileError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    /// <summary>The errors, in file order.</summary>
    public IReadOnlyList<RuleFileError> Errors { get; } = errors;

    /// <summary>A single error.</summary>
    public RuleFileException(RuleFileError error) : this([error]) { }
}
