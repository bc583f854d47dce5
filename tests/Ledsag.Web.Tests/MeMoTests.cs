using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Xml.Linq;
using Ledsag.Web.Data;
using Ledsag.Web.Letters;
using Microsoft.EntityFrameworkCore;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// Every letter kind as a MeMo message for Digital Post: valid against the schema Ledsag carries, the citizen's CPR as
/// recipient, the municipality's CVR as sender, the very PDF of the outbox as main document, and no CPR in any log line.
/// </summary>
public sealed class MeMoTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private static readonly XNamespace M = MeMoMessage.Ns;

    /// <summary>The letter kinds Ledsag writes (the file names of LetterEndpoints.FileName).</summary>
    private static readonly string[] Kinds =
    [
        "complaint_late", "consultation", "delay", "forwarded", "grant", "grant_end", "lapse_reminder", "privacy_notice", "reassessment", "refusal",
        "stay_abroad_decision", "subsidy_decision",
    ];

    [Fact]
    public async Task ATextMeMoCannotCarry_IsRefusedAtTheDoor_AndALongNameIsNeverCutInsideAnEmoji()
    {
        var client = await factory.SignedIn("ballerup", Role.Caseworker);
        // U+FFFF and a lone half of an emoji cannot be written in XML (nor sensibly in a letter): refused, naming the field.
        // Sent as JSON escapes, as a client that does not clean its input sends them.
        foreach (var name in new[] { "Memo\\uffffTest", "Memo\\ud83dTest" })
        {
            using var body = new StringContent($$"""{"cpr":"150388-4411","name":"{{name}}"}""", System.Text.Encoding.UTF8, "application/json");
            using var answer = await client.PostAsync("/api/citizens", body);
            answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await answer.Content.ReadAsStringAsync());
            (await answer.Content.ReadAsStringAsync()).ShouldContain("\"name\"");
        }
        (await factory.WithDb(db => db.Citizens.CountAsync(c => c.Cpr == "1503884411"))).ShouldBe(0);
        // A recipient label over MeMo's 256 characters is cut before an emoji, not through it; a character XML cannot carry is left out.
        var label = new string('B', 254) + "😀" + "C";
        var cut = MeMoMessage.Text(label);
        cut.ShouldBe(new string('B', 254) + "…");
        MeMoMessage.Text(new string('A', 255) + "😀").ShouldBe(new string('A', 255) + "…");
        MeMoMessage.Text("Ab\uffffc\ud800d").ShouldBe("Abcd");
    }

    [Fact]
    public async Task EveryLetterKind_IsAValidMeMoMessage_FromTheMunicipalitysCvrToTheCitizensCpr_CarryingTheOutboxPdf()
    {
        var client = await factory.SignedIn("ballerup", Role.Caseworker);
        var admin = await factory.SignedIn("ballerup", Role.Administrator);
        // The letters of a case from application to complaint (as LetterTests makes them) …
        var (citizen, grant) = await Arrange.EveryLetter(client, admin);
        // … a stay abroad of more than a month, decided before leaving …
        var stay = await client.Post($"/api/grants/{grant}/stays-abroad", new { from = "2026-09-01", to = "2026-10-20", country = "Spanien", notifiedOn = "2026-06-01" }, HttpStatusCode.Created);
        await client.Post($"/api/stays-abroad/{stay.Id()}/decision", new { approve = true, decidedOn = "2026-06-10" });
        // … and a second citizen's late complaint and ended grant.
        var other = (await client.Post("/api/citizens", new { cpr = "110375-2345", name = "Anna Bæk", address = "Hold-an Vej 1, 2750 Ballerup" }, HttpStatusCode.Created)).Id();
        var second = (await client.Post("/api/cases", new { citizenId = other, receivedOn = "2026-02-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{second}/assessment", new { assessedOn = "2026-02-10", facts = new { } });
        await client.Consult(second, "2026-02-15");
        var secondGrant = (await client.Post($"/api/cases/{second}/decision", new { decidedOn = "2026-02-20", outcome = "grant", start = "2026-03-01" })).Id("grantId");
        await factory.WithDb(db => db.Deadlines.Where(d => d.CaseId == second && d.Kind == "complaint_due")
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.DueOn, new NodaTime.LocalDate(2026, 4, 1))));
        await client.Post($"/api/cases/{second}/complaint", new { receivedOn = "2026-04-10", text = "Uenig.", lateDecision = "not_dealt_with", lateReason = "Ingen særlige grunde." });
        await client.Consult(second, "2026-06-01", "end");
        await client.Post($"/api/grants/{secondGrant}/end", new { endOn = "2026-07-31", reason = "no_longer_in_target_group", reasons = new[] { "CAN_MOVE_ALONE" }, justification = "Du kan nu færdes alene." });

        var letters = (await admin.Get($"/api/letters?citizenId={citizen}")).EnumerateArray()
            .Concat((await admin.Get($"/api/letters?citizenId={other}")).EnumerateArray()).ToList();
        letters.Select(l => l.Str("kind")).Distinct().Order(StringComparer.Ordinal).ShouldBe(Kinds);
        var cprOf = new Dictionary<Guid, string> { [citizen] = "2405801234", [other] = "1103752345" };
        foreach (var letter in letters)
        {
            var kind = letter.Str("kind");
            var response = await admin.GetAsync($"/api/letters/{letter.Id()}/memo");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, kind);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/xml");
            var xml = await response.Content.ReadAsByteArrayAsync();
            WriteSample(kind, xml);
            var message = XDocument.Load(new MemoryStream(xml));
            MeMoSchema.Validate(message).ShouldBeEmpty(kind);

            var header = message.Root!.Element(M + "MessageHeader")!;
            header.Element(M + "messageUUID")!.Value.ShouldBe(letter.Id().ToString());
            header.Element(M + "label")!.Value.ShouldBe(letter.Str("subject"));
            header.Element(M + "legalNotification")!.Value.ShouldBe(kind is "grant" or "refusal" or "grant_end" or "reassessment" or "subsidy_decision" or "stay_abroad_decision" ? "true" : "false", kind);
            var sender = header.Element(M + "Sender")!;
            (sender.Element(M + "senderID")!.Value, sender.Element(M + "idType")!.Value, sender.Element(M + "label")!.Value).ShouldBe(("58271713", "CVR", "Ballerup Kommune"));
            var recipient = header.Element(M + "Recipient")!;
            (recipient.Element(M + "recipientID")!.Value, recipient.Element(M + "idType")!.Value).ShouldBe((cprOf[letter.Id("citizenId")], "CPR"));
            if (letter.GetProperty("caseId").ValueKind != System.Text.Json.JsonValueKind.Null)
            {
                header.Element(M + "ContentData")!.Element(M + "CaseID")!.Element(M + "caseSystem")!.Value.ShouldBe("Ledsag");
            }

            // The main document is the outbox's PDF, byte for byte, under the name a citizen saves it by.
            var pdf = await admin.GetAsync(letter.Str("pdf"));
            var file = message.Root.Element(M + "MessageBody")!.Element(M + "MainDocument")!.Element(M + "File")!;
            Convert.FromBase64String(file.Element(M + "content")!.Value).ShouldBe(await pdf.Content.ReadAsByteArrayAsync(), kind);
            file.Element(M + "filename")!.Value.ShouldBe(pdf.Content.Headers.ContentDisposition!.FileNameStar ?? pdf.Content.Headers.ContentDisposition.FileName!);
            (file.Element(M + "encodingFormat")!.Value, file.Element(M + "language")!.Value).ShouldBe(("application/pdf", "da"));
        }
        // The caseworker who signs a case's letters is the citizen's contact in the message too.
        var signed = XDocument.Parse(await admin.GetStringAsync($"/api/letters/{letters.First(l => l.Str("kind") == "grant").Id()}/memo"));
        var attention = signed.Root!.Element(M + "MessageHeader")!.Element(M + "Sender")!.Element(M + "AttentionData")!;
        attention.Element(M + "AttentionPerson")!.Element(M + "label")!.Value.ShouldBe("Test Sagsbehandler");
        attention.Element(M + "Telephone")!.Element(M + "telephoneNumber")!.Value.ShouldBe("70 11 22 33");

        // The message names the citizen by CPR number; no log line does.
        factory.Logs.Lines.ShouldNotContain(l => l.Contains("2405801234") || l.Contains("240580-1234") || l.Contains("1103752345"));
        // Each fetch is audited, as a read of the letter.
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Entity == "letter" && a.Action == "read" && a.Detail == "MeMo"))).ShouldBe(letters.Count + 1);
    }

    [Fact]
    public async Task AHandBrokenMessage_FailsValidation_SayingWhere()
    {
        var caseworker = await factory.SignedIn("lejre", Role.Caseworker);
        var admin = await factory.SignedIn("lejre", Role.Administrator);
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = "010190-1234", name = "Ib Holm" }, HttpStatusCode.Created)).Id();
        await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-01", channel = "telefon" }, HttpStatusCode.Created);
        var letter = (await admin.Get($"/api/letters?citizenId={citizen}"))[0].Id();
        var valid = XDocument.Parse(await admin.GetStringAsync($"/api/letters/{letter}/memo"));
        MeMoSchema.Validate(valid).ShouldBeEmpty();
        valid.Root!.Element(M + "MessageHeader")!.Element(M + "Sender")!.Element(M + "senderID")!.Value.ShouldBe("29188386"); // Lejre Kommune

        XDocument Broken(Action<XElement> breakIt)
        {
            var copy = new XDocument(valid);
            breakIt(copy.Root!.Element(M + "MessageHeader")!);
            return copy;
        }
        string[] WhereOf(XDocument message) => MeMoSchema.Validate(message).Select(p => p.Where).Distinct().ToArray();

        // No recipient: the validator stops at what stands where the recipient should (the case data), expecting Recipient.
        var noRecipient = MeMoSchema.Validate(Broken(h => h.Element(M + "Recipient")!.Remove())).ShouldHaveSingleItem();
        (noRecipient.Where, noRecipient.Message.Contains("'Recipient'", StringComparison.Ordinal)).ShouldBe(("Message/MessageHeader/ContentData", true));
        WhereOf(Broken(h => h.Element(M + "Recipient")!.Element(M + "recipientID")!.Value = "01019012")).ShouldBe(["Message/MessageHeader/Recipient/recipientID"]);
        WhereOf(Broken(h => h.Element(M + "Sender")!.Element(M + "idType")!.Value = "CPR")).ShouldBe(["Message/MessageHeader/Sender/idType"]);
        WhereOf(Broken(h => h.Element(M + "label")!.Value = new string('x', 257))).ShouldBe(["Message/MessageHeader/label"]);
        // A UUID that is not version 4 is not a MeMo messageUUID.
        WhereOf(Broken(h => h.Element(M + "messageUUID")!.Value = "0190a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b")).ShouldBe(["Message/MessageHeader/messageUUID"]);
        WhereOf(Broken(h => h.Parent!.Element(M + "MessageBody")!.Element(M + "createdDateTime")!.Value = "2026-06-15T12:00:00+02:00"))
            .ShouldBe(["Message/MessageBody/createdDateTime"]);
        WhereOf(Broken(h => h.Parent!.Element(M + "MessageBody")!.Descendants(M + "content").Single().Value = ""))
            .ShouldBe(["Message/MessageBody/MainDocument/File/content"]);
    }

    [Fact]
    public async Task ALetterWithoutItsPdf_IsNoMessage_ButAConflictSayingSo()
    {
        var caseworker = await factory.SignedIn("gribskov", Role.Caseworker);
        var admin = await factory.SignedIn("gribskov", Role.Administrator);
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = "020290-1234", name = "Bo Lund" }, HttpStatusCode.Created)).Id();
        await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-01", channel = "telefon" }, HttpStatusCode.Created);
        var letter = (await admin.Get($"/api/letters?citizenId={citizen}"))[0].Id();
        await factory.WithDb(db => db.Letters.Where(l => l.Id == letter).ExecuteUpdateAsync(s => s.SetProperty(l => l.Pdf, (byte[]?)null)));
        (await admin.Get($"/api/letters/{letter}/memo", HttpStatusCode.Conflict)).Str("code").ShouldBe("LETTER_WITHOUT_PDF");
    }

    [Theory]
    [InlineData("haderslev", "29189773")]
    [InlineData("bronderslev", "29189587")]
    [InlineData("lejre", "29188386")]
    [InlineData("gribskov", "29188335")]
    [InlineData("ballerup", "58271713")]
    public void EachMunicipality_SendsAsItsOwnCvr(string municipality, string cvr)
    {
        factory.Standard(municipality).Cvr.ShouldBe(cvr);
        Domain.Cvr.IsValid(cvr).ShouldBeTrue();
    }

    /// <summary>Keeps one message per letter kind under TestResults/memo, for checking against Digitaliseringsstyrelsen's own schema (docs/digital-post.md).</summary>
    private static void WriteSample(string kind, byte[] xml)
    {
        var dir = Path.Combine(ServerProcess.RepoRoot, "TestResults", "memo");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, $"{kind}.xml"), xml);
    }
}

/// <summary>
/// The Digital Post gateway's receipts through its integration token: a letter is sent once, with one receipt, however
/// often and however many at once the gateway reports it. The same suite on SQLite and PostgreSQL.
/// </summary>
public abstract class MeMoReceiptTests(LedsagFactory factory)
{
    private static int _serial;

    private static string NextCpr() => $"{1 + (Interlocked.Increment(ref _serial) % 28):00}0{1 + (_serial / 28 % 9)}7{_serial % 10}-{3000 + _serial:0000}";

    /// <summary>A queued letter in <paramref name="municipality"/> (the privacy notice a new case sends) and a client with the gateway's token.</summary>
    private async Task<(HttpClient Gateway, Guid Letter)> QueuedLetter(string municipality = "haderslev")
    {
        var caseworker = await factory.SignedIn(municipality, Role.Caseworker);
        var citizen = (await caseworker.Post("/api/citizens", new { cpr = NextCpr(), name = "Test Borger" }, HttpStatusCode.Created)).Id();
        await caseworker.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-06-01", channel = "telefon" }, HttpStatusCode.Created);
        var admin = await factory.SignedIn(municipality, Role.Administrator);
        var token = (await admin.Post("/api/tokens", new { name = "Digital Post" }, HttpStatusCode.Created)).Str("token");
        var gateway = factory.CreateClient();
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var letter = (await gateway.Get($"/api/letters?citizenId={citizen}&status=queued")).EnumerateArray().Single();
        return (gateway, letter.Id());
    }

    private static object Receipt(string messageId = "dp-7f3a", string status = "delivered", string at = "2026-06-15T10:02:00.123456Z") =>
        new { messageId, status, receivedAt = at };

    [Fact]
    public async Task AReceipt_SendsTheLetterAndIsKept_TheSameAgainIsFine_ADifferentOneIsAConflict()
    {
        var (gateway, letter) = await QueuedLetter();
        (await gateway.GetAsync($"/api/letters/{letter}/memo")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var first = await gateway.Post($"/api/letters/{letter}/receipt", Receipt());
        (first.Str("status"), first.Str("messageId"), first.Str("receiptStatus"), first.Str("receivedAt")).ShouldBe(("sent", "dp-7f3a", "delivered", "2026-06-15T10:02:00.123456Z"));
        // The same receipt, written another way (the same moment at +02:00): a retry, answered as the first.
        var again = await gateway.Post($"/api/letters/{letter}/receipt", Receipt(at: "2026-06-15T12:02:00.123456+02:00"));
        again.GetRawText().ShouldBe(first.GetRawText());
        (await gateway.Post($"/api/letters/{letter}/receipt", Receipt(messageId: "dp-other"), HttpStatusCode.Conflict)).Str("code").ShouldBe("RECEIPT_CONFLICT");
        await gateway.Post($"/api/letters/{letter}/receipt", Receipt(status: "printed"), HttpStatusCode.Conflict);

        var stored = await factory.WithDb(db => db.Letters.AsNoTracking().SingleAsync(l => l.Id == letter));
        (stored.Status, stored.ReceiptMessageId, stored.ReceiptStatus, stored.ReceiptAt, stored.SentAt).ShouldBe(
            ("sent", "dp-7f3a", "delivered", NodaTime.Instant.FromUtc(2026, 6, 15, 10, 2).PlusTicks(1_234_560), NodaTime.Instant.FromUtc(2026, 6, 15, 10, 2).PlusTicks(1_234_560)));
        (await gateway.Get("/api/letters?status=queued")).EnumerateArray().ShouldNotContain(l => l.Id("id") == letter);
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "receipt" && a.EntityId == letter.ToString()))).ShouldBe(1);
    }

    [Fact]
    public async Task AReceipt_IsCheckedAfterAccess_AndNamesEachBadField()
    {
        var (gateway, letter) = await QueuedLetter();
        // Another municipality's gateway does not find the letter; a caseworker may not report receipts.
        var (otherGateway, _) = await QueuedLetter("gribskov");
        await otherGateway.Post($"/api/letters/{letter}/receipt", new { }, HttpStatusCode.NotFound);
        await otherGateway.Get($"/api/letters/{letter}/memo", HttpStatusCode.NotFound);
        var caseworker = await factory.SignedIn("haderslev", Role.Caseworker);
        await caseworker.Post($"/api/letters/{letter}/receipt", new { }, HttpStatusCode.Forbidden);
        await caseworker.Get($"/api/letters/{letter}/memo", HttpStatusCode.Forbidden);

        var errors = (await gateway.Post($"/api/letters/{letter}/receipt", new { messageId = "", status = "read", receivedAt = "2026-06-15 10:05" }, HttpStatusCode.BadRequest))
            .GetProperty("errors");
        errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ShouldBe(["messageId", "receivedAt", "status"]);
        (await gateway.Post($"/api/letters/{letter}/receipt", Receipt(at: "2026-06-14T10:00:00Z"), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("receivedAt")[0].GetString()!.ShouldContain("før det blev lavet");
        (await gateway.Post($"/api/letters/{letter}/receipt", Receipt(at: "2026-06-16T10:00:00Z"), HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("receivedAt")[0].GetString()!.ShouldContain("fremtiden");
        (await factory.WithDb(db => db.Letters.SingleAsync(l => l.Id == letter))).Status.ShouldBe("queued");
    }

    [Fact]
    public async Task TwentyIdenticalReceiptsAtOnce_StoreOneReceipt_AndTwentyDifferentOnes_LetOneWin()
    {
        var (gateway, letter) = await QueuedLetter();
        var same = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => gateway.PostAsJsonAsync($"/api/letters/{letter}/receipt", Receipt())));
        same.Select(r => r.StatusCode).Distinct().ShouldBe([HttpStatusCode.OK], string.Join(", ", same.Select(r => (int)r.StatusCode)));
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "receipt" && a.EntityId == letter.ToString()))).ShouldBe(1);

        var (other, contested) = await QueuedLetter();
        var different = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => other.PostAsJsonAsync($"/api/letters/{contested}/receipt", Receipt(messageId: $"dp-{i}"))));
        different.ShouldAllBe(r => (int)r.StatusCode < 500);
        different.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        different.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(19);
        var winner = await different.Single(r => r.StatusCode == HttpStatusCode.OK).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        (await factory.WithDb(db => db.Letters.SingleAsync(l => l.Id == contested))).ReceiptMessageId.ShouldBe(winner.Str("messageId"));
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "receipt" && a.EntityId == contested.ToString()))).ShouldBe(1);
    }
}

public sealed class SqliteMeMoReceiptTests(SqliteFactory factory) : MeMoReceiptTests(factory), IClassFixture<SqliteFactory>;

public sealed class PostgresMeMoReceiptTests(PostgresFactory factory) : MeMoReceiptTests(factory), IClassFixture<PostgresFactory>;
