using Microsoft.AspNetCore.Components.Forms;

namespace Ledsag.Web.Components;

/// <summary>
/// A page's field errors from a <see cref="Infrastructure.ProblemException"/> — the same messages the API
/// gives — fed into the form's EditContext, so Blazor's inputs mark themselves aria-invalid. Pages name their
/// fields (<see cref="Field"/>): the summary then links to each field and says which one («Udfyld brugernavn»),
/// as the Danish design system and GOV.UK do, instead of the API's field key.
/// </summary>
public sealed class FormErrors
{
    private Dictionary<string, string[]> _errors = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (string Id, string Label)> _fields = new(StringComparer.OrdinalIgnoreCase);
    private EditContext? _context;
    private ValidationMessageStore? _store;

    public string? Title { get; private set; }

    public bool Any => Title is not null;

    /// <summary>Each error as the summary shows it: the element to jump to and the message naming the field.</summary>
    public IEnumerable<(string Href, string Message)> Summary =>
        _errors.Select(e => ("#" + (_fields.TryGetValue(e.Key, out var f) ? f.Id : Anchor(e.Key)), Message(e.Key, e.Value)));

    /// <summary>Names a field: the API's key, the input's id and its label in the page's words.</summary>
    public FormErrors Field(string key, string id, string label)
    {
        _fields[key] = (id, label);
        return this;
    }

    /// <summary>Binds the errors to a form's model; returns the EditContext for the EditForm.</summary>
    public EditContext Context(object model)
    {
        if (_context?.Model != model)
        {
            _context = new EditContext(model);
            _store = new ValidationMessageStore(_context);
        }
        return _context;
    }

    public void Set(Infrastructure.ProblemException p)
    {
        Title = p.Errors.Count > 0 ? "Der er fejl i det, du har udfyldt" : Infrastructure.Citations.Cite(p.Title);
        // A problem without fields («Ansøgningen er allerede afgjort.») is the summary's heading alone, not said twice.
        _errors = new Dictionary<string, string[]>(p.Errors, StringComparer.OrdinalIgnoreCase);
        if (_context is null || _store is null)
        {
            return;
        }
        _store.Clear();
        foreach (var (field, messages) in _errors)
        {
            var property = _context.Model.GetType().GetProperties().FirstOrDefault(x => x.Name.Equals(field, StringComparison.OrdinalIgnoreCase));
            if (property is not null)
            {
                _store.Add(new FieldIdentifier(_context.Model, property.Name), messages);
            }
        }
        _context.NotifyValidationStateChanged();
    }

    /// <summary>Clears the errors after a successful step.</summary>
    public void Clear()
    {
        Title = null;
        _errors = new(StringComparer.OrdinalIgnoreCase);
        _store?.Clear();
    }

    /// <summary>The message shown at the field, naming it.</summary>
    public string? For(string field) => _errors.TryGetValue(field, out var m) ? Message(field, m) : null;

    /// <summary>"true" when the field has an error, for aria-invalid on plain inputs.</summary>
    public string Invalid(string field) => _errors.ContainsKey(field) ? "true" : "false";

    private string Message(string key, string[] messages)
    {
        var text = Infrastructure.Citations.Cite(string.Join(" ", messages));
        if (!_fields.TryGetValue(key, out var f))
        {
            return text;
        }
        var label = f.Label.TrimEnd(':', ' ');
        // «Skal udfyldes (accepted, declined).» lists the API's codes for integrators; a person is told which field to fill.
        return text.StartsWith("Skal udfyldes", StringComparison.Ordinal) ? $"Udfyld {Lower(label)}." : $"{label}: {Lower(text, firstOnly: true)}";
    }

    private static string Lower(string s, bool firstOnly = false) =>
        s.Length == 0 || (firstOnly && s.Length > 1 && char.IsUpper(s[1])) ? s : char.ToLowerInvariant(s[0]) + s[1..];

    /// <summary>The default element id of an API field key: «expenses[0].amount» → «expenses-0-amount».</summary>
    public static string Anchor(string key) =>
        key.Length == 0 ? "indhold" : new string(key.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-').Replace("--", "-", StringComparison.Ordinal);
}
