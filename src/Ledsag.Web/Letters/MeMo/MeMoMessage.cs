using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Ledsag.Domain.Standards;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using NodaTime.Text;

namespace Ledsag.Web.Letters;

/// <summary>
/// A letter in the outbox as a MeMo 1.1 message (Meddelelsesmodellen, the format Digital Post takes): the municipality
/// (its CVR) sends to the citizen (their CPR) the letter's PDF as the main document, titled with the letter's subject.
/// The message is made from the stored letter each time it is asked for, so it is the same message every time: its
/// messageUUID is the letter's id.
/// </summary>
public static class MeMoMessage
{
    public static readonly XNamespace Ns = "https://DigitalPost.dk/MeMo-1";

    /// <summary>The system that made the message, as MeMo's GeneratingSystem and the case's caseSystem name it.</summary>
    public const string GeneratingSystem = "Ledsag";

    /// <summary>
    /// The kinds of letter that carry a decision (afgørelse), each with its klagevejledning: MeMo marks them
    /// legalNotification, a message with legal effect for the recipient.
    /// </summary>
    public static readonly IReadOnlySet<string> DecisionKinds =
        new HashSet<string>(StringComparer.Ordinal) { "grant", "refusal", "grant_end", "reassessment", "subsidy_decision", "stay_abroad_decision" };

    /// <summary>Loads what the message names (the citizen, the case and its caseworker, the writing unit) and makes it.</summary>
    public static async Task<XDocument> ForAsync(LedsagDb db, Infrastructure.Standards standards, Letter letter, CancellationToken ct)
    {
        var citizen = await db.Citizens.AsNoTracking().FirstAsync(c => c.Id == letter.CitizenId, ct);
        var @case = letter.CaseId is { } caseId ? await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) : null;
        var signer = @case?.CaseworkerId is { } userId ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct) : null;
        var standard = standards.For(letter.MunicipalityId);
        var unit = standard.Get<Contact>(Parameters.LetterSender, Today.DayOf(letter.CreatedAt)).Value;
        return Build(letter, citizen, @case?.Number, signer is not null && LetterService.Signs(signer) ? signer : null, standard, unit);
    }

    /// <summary>
    /// The message for <paramref name="letter"/>. The contact it names is the one the PDF's head gives: the caseworker's
    /// own phone and e-mail where they have them, else the writing unit's.
    /// </summary>
    public static XDocument Build(Letter letter, Citizen citizen, string? caseNumber, User? signer, MunicipalStandard standard, Contact unit)
    {
        var cvr = standard.Cvr ?? throw new ProblemException(StatusCodes.Status409Conflict,
            $"{standard.Name}s CVR-nummer står ikke i kvalitetsstandarden, så brevet kan ikke sendes med Digital Post.", code: "MUNICIPALITY_CVR_MISSING");
        if (letter.Pdf is not { Length: > 0 })
        {
            // A letter of an anonymised citizen keeps no PDF (Retention): there is nothing left to send.
            throw ProblemException.Conflict("Brevet har ingen PDF, så det kan ikke sendes med Digital Post.", "LETTER_WITHOUT_PDF");
        }
        var agent = signer?.DisplayName ?? unit.Unit;
        var email = signer?.Email ?? unit.Email;
        var phone = signer?.Phone ?? unit.Phone;
        var header = E("MessageHeader",
            E("messageType", "DIGITALPOST"),
            E("messageUUID", letter.Id.ToString("D")),
            E("messageID", $"ledsag-{letter.Id:N}"),
            E("messageCode", letter.Kind),
            E("label", Text(letter.Subject)),
            // Obligatory Digital Post: a public authority writing to a citizen (lov om Digital Post fra offentlige afsendere).
            E("mandatory", "true"),
            E("legalNotification", DecisionKinds.Contains(letter.Kind) ? "true" : "false"),
            E("Sender",
                E("senderID", cvr),
                E("idType", "CVR"),
                E("label", Text(standard.Name)),
                E("AttentionData",
                    signer is null ? null : E("AttentionPerson", E("label", Text(signer.DisplayName))),
                    email is null ? null : E("EMail", E("emailAddress", Text(email)), E("relatedAgent", Text(agent))),
                    phone is null ? null : E("Telephone", E("telephoneNumber", Text(phone)), E("relatedAgent", Text(agent))),
                    E("ContentResponsible", E("label", Text(unit.Unit))),
                    E("GeneratingSystem", E("generatingSystemID", GeneratingSystem), E("label", GeneratingSystem)))),
            E("Recipient",
                E("recipientID", citizen.Cpr),
                E("idType", "CPR"),
                E("label", Text(LetterService.Recipient(citizen)))),
            caseNumber is null ? null : E("ContentData", E("CaseID", E("caseID", Text(caseNumber)), E("caseSystem", GeneratingSystem))));
        var body = E("MessageBody",
            E("createdDateTime", InstantPattern.General.Format(letter.CreatedAt)),
            E("MainDocument",
                E("mainDocumentID", letter.Id.ToString("D")),
                E("label", Text(letter.Subject)),
                E("File",
                    E("encodingFormat", "application/pdf"),
                    E("filename", Text(Features.LetterEndpoints.FileName(letter))),
                    E("language", "da"),
                    E("content", Convert.ToBase64String(letter.Pdf)))));
        return new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement(Ns + "Message", new XAttribute(XNamespace.Xmlns + "memo", Ns), new XAttribute("memoVersion", "1.1"),
                new XAttribute("memoSchVersion", "1.1.0"), header, body));
    }

    /// <summary>The message as UTF-8 XML (no byte order mark), as the gateway receives it.</summary>
    public static byte[] Utf8(XDocument message)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, Async = false }))
        {
            message.Save(writer);
        }
        return stream.ToArray();
    }

    private static XElement E(string name, params object?[] content) => new(Ns + name, content);

    /// <summary>
    /// MeMo's text is at most 256 characters: a longer one (a very long subject) is cut with an ellipsis, never inside a
    /// character written as two (an emoji). A character XML cannot carry (a lone surrogate, U+FFFE, U+FFFF), which a
    /// record saved before names were checked for it may hold, is left out rather than failing the message.
    /// </summary>
    internal static string Text(string s)
    {
        var clean = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (i + 1 < s.Length && XmlConvert.IsXmlSurrogatePair(s[i + 1], s[i]))
            {
                clean.Append(s[i]).Append(s[++i]);
            }
            else if (XmlConvert.IsXmlChar(s[i]))
            {
                clean.Append(s[i]);
            }
        }
        if (clean.Length <= 256)
        {
            return clean.ToString();
        }
        var cut = char.IsHighSurrogate(clean[254]) ? 254 : 255;
        return clean.ToString(0, cut) + "…";
    }
}

/// <summary>
/// Validates MeMo messages against the schema Ledsag carries (Letters/MeMo/MeMo-Ledsag.xsd): the part of MeMo 1.1 its
/// letters use, written from the model's documented fields (the file says what it takes from the model and why).
/// </summary>
public static class MeMoSchema
{
    private static readonly XmlSchemaSet Set = Load();

    // XmlSchemaSet's instance members are not documented as thread-safe: one validation at a time.
    private static readonly Lock Gate = new();

    /// <summary>
    /// What in <paramref name="message"/> breaks the schema; empty when nothing does. A problem's <c>Message</c> may quote
    /// the value it refused (the recipient's CPR number): log only its <c>Where</c>.
    /// </summary>
    public static IReadOnlyList<MeMoProblem> Validate(XDocument message)
    {
        var problems = new List<MeMoProblem>();
        lock (Gate)
        {
            message.Validate(Set, (sender, e) => problems.Add(new MeMoProblem(Where(sender as XObject), e.Message)));
        }
        return problems;
    }

    private static string Where(XObject? at)
    {
        var element = at as XElement ?? at?.Parent;
        var path = element?.AncestorsAndSelf().Reverse().Select(x => x.Name.LocalName) ?? [];
        var where = string.Join('/', path);
        return at is XAttribute a ? $"{where}/@{a.Name.LocalName}" : where;
    }

    private static XmlSchemaSet Load()
    {
        using var stream = typeof(MeMoSchema).Assembly.GetManifestResourceStream("Ledsag.MeMo.MeMo-Ledsag.xsd")
            ?? throw new InvalidOperationException("The MeMo schema is not embedded in Ledsag.Web.");
        var set = new XmlSchemaSet();
        set.Add(XmlSchema.Read(stream, (_, e) => throw new InvalidOperationException($"The MeMo schema does not read: {e.Message}"))
            ?? throw new InvalidOperationException("The MeMo schema is empty."));
        set.Compile();
        return set;
    }
}

/// <summary>Where a MeMo message breaks the schema (<c>Message/MessageHeader/Recipient</c>), and the validator's words.</summary>
public sealed record MeMoProblem(string Where, string Message);
