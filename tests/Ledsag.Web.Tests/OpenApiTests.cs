using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json.Nodes;
using Ledsag.Client;
using Ledsag.Web.Data;
using Ledsag.Web.Features;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The OpenAPI document is one an integrator can generate a client from: the committed copy (docs/api/openapi.v1.json,
/// from which the build generates <see cref="LedsagClient"/>) is what the server serves, every operation is named and
/// typed, errors are problem+json, fixed sets are enums, required fields are what the handlers require, and a
/// caseworker's journey runs through the generated client with a bearer token.
/// </summary>
public sealed class OpenApiTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private const string Committed = "docs/api/openapi.v1.json";

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ledsag.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Ledsag.slnx not found above the test folder");
    }

    private async Task<JsonObject> Served() => JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"))!.AsObject();

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    private static JsonObject Schema(JsonObject document, string name) => document["components"]!["schemas"]![name]!.AsObject();

    private static IReadOnlyList<string> Required(JsonObject schema) => schema["required"]?.AsArray().Select(n => n!.GetValue<string>()).Order().ToList() ?? [];

    private static bool Nullable(JsonObject schema, string property) => schema["properties"]![property] is JsonObject p &&
        (p["type"] is JsonArray types ? types.Any(t => t!.GetValue<string>() == "null") : p["oneOf"] is JsonArray options && options.Any(o => o?["type"]?.GetValue<string>() == "null"));

    private static IReadOnlyList<string> Enum(JsonObject schema, string property) =>
        schema["properties"]![property]!["enum"]!.AsArray().Where(n => n is not null).Select(n => n!.GetValue<string>()).ToList();

    [Fact]
    public async Task TheCommittedDocument_IsWhatTheServerServes()
    {
        var served = await Served();
        var path = Path.Combine(Root(), Committed);
        if (Environment.GetEnvironmentVariable("LEDSAG_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served.ToJsonString(new System.Text.Json.JsonSerializerOptions
            {
                WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            }) + "\n");
        }
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        JsonNode.DeepEquals(served, committed).ShouldBeTrue(
            $"{Committed} differs from /openapi/v1.json: the generated client would be stale. Update it with LEDSAG_UPDATE_OPENAPI=1 dotnet test --filter TheCommittedDocument_IsWhatTheServerServes");
    }

    [Fact]
    public async Task EveryOperation_IsNamed_HasATypedSuccess_AndAnswersErrorsAsProblemJson()
    {
        var document = await Served();
        var ids = new HashSet<string>();
        foreach (var (path, method, operation) in Operations(document))
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            var id = operation["operationId"]?.GetValue<string>();
            id.ShouldNotBeNullOrWhiteSpace($"{name} has no operationId");
            ids.Add(id!).ShouldBeTrue($"{name}: operationId {id} is used twice");
            var responses = operation["responses"]!.AsObject();
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            success.ShouldNotBeEmpty($"{name} documents no success");
            foreach (var (status, response) in success.Where(r => r.Key != "204"))
            {
                var content = response!["content"]?.AsObject();
                content.ShouldNotBeNull($"{name} {status} has no content");
                content!.All(c => c.Value!["schema"] is JsonObject).ShouldBeTrue($"{name} {status} has content without a schema");
                // A JSON answer names a type (or is a list of one); only files are bytes.
                foreach (var (contentType, media) in content!)
                {
                    var schema = media!["schema"]!.AsObject();
                    if (contentType.Contains("json"))
                    {
                        (schema["$ref"] is not null || schema["items"]?["$ref"] is not null || schema["type"]?.GetValue<string>() == "object")
                            .ShouldBeTrue($"{name} {status} {contentType} has no response type: {schema.ToJsonString()}");
                    }
                    else
                    {
                        schema["format"]?.GetValue<string>().ShouldBe("binary", $"{name} {status} {contentType}");
                    }
                }
            }
            foreach (var (status, response) in responses.Where(r => int.Parse(r.Key) >= 400))
            {
                var content = response!["content"]!.AsObject();
                content.Select(c => c.Key).ShouldBe(["application/problem+json"], $"{name} {status}");
                content["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>().ShouldBe("#/components/schemas/Problem");
            }
            if (operation["security"] is not null)
            {
                responses.ContainsKey("401").ShouldBeTrue($"{name} requires sign-in but documents no 401");
                responses.ContainsKey("403").ShouldBeTrue($"{name} requires sign-in but documents no 403");
            }
            if (path.Contains('{'))
            {
                responses.ContainsKey("404").ShouldBeTrue($"{name} reads a record but documents no 404");
            }
        }
        ids.Count.ShouldBeGreaterThan(90);
        document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>().ShouldBe("bearer");
        var problem = Schema(document, "Problem");
        problem["properties"]!["errors"]!["additionalProperties"]!["items"]!["type"]!.GetValue<string>().ShouldBe("string");
        problem["properties"]!["code"].ShouldNotBeNull();
        document["servers"]?.AsArray().Count.ShouldBe(0, "the document must not depend on the host it was fetched from");
    }

    [Fact]
    public async Task FixedSets_AreEnums_AndActivitiesAreTheNationalList()
    {
        var document = await Served();
        Enum(Schema(document, "ApplicationRequest"), "channel").ShouldBe(CaseEndpoints.Channels.Keys.ToList());
        Enum(Schema(document, "DecisionRequest"), "outcome").ShouldBe(["grant", "refusal"]);
        Enum(Schema(document, "DraftRequest"), "outcome").ShouldBe(["grant", "refusal", "end"]);
        Enum(Schema(document, "DeclarationRequest"), "relation").ShouldBe(CompanionRules.RelationKeys.Keys.ToList());
        Enum(Schema(document, "EmployRequest"), "employer").ShouldBe(CompanionRules.EmployerKeys.Keys.ToList());
        Enum(Schema(document, "CreateUserRequest"), "role").ShouldBe(UserEndpoints.StaffRoles.Select(r => r.ToString()).ToList());
        Enum(Schema(document, "ThemeLevel"), "theme").ShouldBe(CaseEndpoints.VumThemes.ToList());
        var national = factory.Services.GetRequiredService<Infrastructure.Standards>().Set.National.Activities.Keys.ToList();
        Enum(Schema(document, "SessionRequest"), "activity").ShouldBe(national);
        Schema(document, "SessionRequest")["properties"]!["activity"]!["description"]!.GetValue<string>().ShouldContain("EXCLUDED_ACTIVITY");
        // An optional enum field accepts null (the handler's default) as well as its values.
        Nullable(Schema(document, "EmployRequest"), "employer").ShouldBeTrue();
    }

    [Fact]
    public async Task RequiredFields_AreNotNullable_AndResponsesAreNullableAsTheirTypes()
    {
        var document = await Served();
        var application = Schema(document, "ApplicationRequest");
        Required(application).ShouldBe(["channel", "citizenId", "receivedOn"]);
        Nullable(application, "receivedOn").ShouldBeFalse();
        Nullable(application, "channel").ShouldBeFalse();
        Nullable(application, "caseworkerId").ShouldBeTrue();
        application["examples"]!.AsArray().Count.ShouldBe(1);
        var view = Schema(document, "CaseView");
        Required(view).ShouldContain("routedTo"); // always present in the answer …
        Nullable(view, "routedTo").ShouldBeTrue(); // … and null until routed (string? in CaseView)
        Nullable(view, "number").ShouldBeFalse();
        Nullable(view, "grantId").ShouldBeTrue();
        Nullable(Schema(document, "CitizenResponse"), "name").ShouldBeFalse();
        Nullable(Schema(document, "CitizenResponse"), "address").ShouldBeTrue();
    }

    /// <summary>The document's required fields are the fields the handlers refuse missing: an empty body is answered with exactly them.</summary>
    [Fact]
    public async Task AnEmptyBody_IsRefusedForExactlyTheDocumentsRequiredFields()
    {
        var document = await Served();
        var client = await factory.SignedIn("ballerup", Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr = "010203-1234", name = "Tom Krop" }, HttpStatusCode.Created)).Id();
        var caseId = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-05-01", channel = "telefon" }, HttpStatusCode.Created)).Id();
        (string Url, string Schema)[] checks =
        [
            ("/api/citizens", "CitizenRequest"), ("/api/cases", "ApplicationRequest"), ($"/api/cases/{caseId}/conversation", "NoteRequest"),
            ($"/api/cases/{caseId}/consents", "ConsentRequest"), ($"/api/cases/{caseId}/assessment", "AssessmentRequest"),
            ($"/api/cases/{caseId}/draft", "DraftRequest"), ($"/api/cases/{caseId}/decision", "DecisionRequest"),
            ($"/api/cases/{caseId}/delay-letter", "DelayLetterRequest"), ($"/api/cases/{caseId}/action-plan", "ActionPlanRequest"),
            // Not the draft answer: its text is required only for an answer, not for a waiver (the record's summary says so).
        ];
        foreach (var (url, schema) in checks)
        {
            var problem = await client.Post(url, new { }, HttpStatusCode.BadRequest);
            problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToList()
                .ShouldBe(Required(Schema(document, schema)), $"POST {url} with {{}} vs {schema}.required");
        }
    }

    [Fact]
    public void TheDocumentedGenerateCommand_UsesTheOptionsTheBuildGeneratesTheClientWith()
    {
        var options = typeof(OpenApiTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LedsagClientOptions").Value!;
        options.ShouldContain("/classname:LedsagClient");
        var guide = File.ReadAllText(Path.Combine(Root(), "docs", "api.md"));
        guide.ShouldContain($"nswag openapi2csclient /input:https://ledsag.kommune.dk/openapi/v1.json /output:LedsagClient.cs {options}");
        guide.ShouldContain("NSwag.ConsoleCore --version 14.8.0");
    }

    [Fact]
    public async Task ACaseworkersJourney_RunsThroughTheGeneratedClient_WithABearerToken()
    {
        // An administrator makes the integration's token; the integration then sends only «Authorization: Bearer …».
        var admin = new LedsagClient(await factory.SignedIn("ballerup", Role.Administrator));
        var token = await admin.CreateTokenAsync(new TokenRequest { Name = "Fagsystem" });
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        var api = new LedsagClient(http);

        var citizen = await api.CreateCitizenAsync(new CitizenRequest { Cpr = "120485-4321", Name = "Klient Borger", Address = "Testvej 2" });
        citizen.Cpr.ShouldBe("120485-4321");
        var created = await api.CreateCaseAsync(new ApplicationRequest { CitizenId = citizen.Id, ReceivedOn = "2026-03-02", Channel = ApplicationRequestChannel.Borger_dk });
        created.Channel.ShouldBe("borger.dk");
        created.Deadlines.Last(d => d.Kind == "decision_due").DueOn.ShouldBe("2026-04-30"); // 40 working days in Ballerup

        var assessed = await api.RecordAssessmentAsync(created.Id, new AssessmentRequest
        {
            AssessedOn = "2026-03-20", FunctionalLevel = 3, Facts = new Facts(),
            Themes = [new ThemeLevel { Theme = ThemeLevelTheme.Mobilitet, Level = 3, Note = "Kørestolsbruger" }],
        });
        // A step's data is open JSON (its members depend on the kind of step): the client keeps them as additional properties.
        assessed.Steps.Last(s => s.Kind == "recommendation").Data.AdditionalProperties["kind"].ToString().ShouldBe("grant");

        // A decision before partshøring is refused, and the generated client hands back the problem document.
        var refused = await Should.ThrowAsync<ApiException<Problem>>(() =>
            api.DecideAsync(created.Id, new DecisionRequest { DecidedOn = "2026-04-10", Outcome = DecisionRequestOutcome.Grant, Start = "2026-04-13" }));
        refused.StatusCode.ShouldBeOneOf(409, 422);
        refused.Result.Title.ShouldNotBeNullOrWhiteSpace();

        await api.SendDraftAsync(created.Id, new DraftRequest { SentOn = "2026-03-27", Outcome = DraftRequestOutcome.Grant, Summary = "Udkast: 15 timer." });
        await api.RecordDraftAnswerAsync(created.Id, new DraftAnswerRequest { ReceivedOn = "2026-03-27", Kind = DraftAnswerRequestKind.Waiver, Channel = DraftAnswerRequestChannel.Telefon });
        var decided = await api.DecideAsync(created.Id, new DecisionRequest { DecidedOn = "2026-04-10", Outcome = DecisionRequestOutcome.Grant, Start = "2026-04-13" });
        decided.State.ShouldBe("Granted");
        var grantId = decided.GrantId!.Value;

        var registered = await api.RegisterSessionAsync(grantId, new SessionRequest { Date = "2026-06-10", Hours = 2, Activity = SessionRequestActivity.Cinema });
        registered.Session.Hours.ShouldBe(2);
        registered.Balance.ShouldNotBeNull();
        var balance = await api.GetBalanceAsync(grantId, "2026-06-15");
        balance.UsedTotal.ShouldBe(2);

        var invalid = await Should.ThrowAsync<ApiException<Problem>>(() =>
            api.CreateCaseAsync(new ApplicationRequest { CitizenId = citizen.Id, ReceivedOn = "2026-07-01", Channel = ApplicationRequestChannel.Telefon }));
        invalid.StatusCode.ShouldBe(400);
        invalid.Result.Errors!.Keys.ShouldContain("receivedOn");

        var letters = await api.ListLettersAsync(citizen.Id, null);
        var decision = letters.First(l => l.CaseId == created.Id && l.Kind == "grant"); // the decision letter
        using var pdf = await api.GetLetterPdfAsync(decision.Id);
        pdf.StatusCode.ShouldBe(200);
        var head = new byte[4];
        await pdf.Stream.ReadExactlyAsync(head);
        System.Text.Encoding.ASCII.GetString(head).ShouldBe("%PDF");
    }
}
