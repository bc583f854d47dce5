using Microsoft.AspNetCore.Components.Forms;

namespace Ledsag.Web.Components;

/// <summary>
/// A page's field errors from a <see cref="Infrastructure.ProblemException"/> — the same messages the API
/// gives — fed into the form's EditContext, so Blazor's inputs mark themselves aria-invalid.
/// </summary>
public sealed class FormErrors
{
    private Dictionary<string, string[]> _errors = new(StringComparer.OrdinalIgnoreCase);
    private EditContext? _context;
    private ValidationMessageStore? _store;

    public string? Title { get; private set; }

    public bool Any => Title is not null;

    public IEnumerable<KeyValuePair<string, string[]>> All => _errors;

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
        Title = p.Title;
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

    public string? For(string field) => _errors.TryGetValue(field, out var m) ? string.Join(" ", m) : null;
}
