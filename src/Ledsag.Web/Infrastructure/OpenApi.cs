using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// A request field's allowed values, as the handler checks them: the keys of a static dictionary (or the items of a
/// static list, or the result of a static method given the services) on <paramref name="owner"/>. The document lists
/// them as an enum, so a generated client offers them; the handler stays the one place that checks them.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OneOfAttribute(Type owner, string member) : Attribute
{
    /// <summary>Said beside the values (e.g. that a municipality's standard can refuse some of them).</summary>
    public string? Description { get; init; }

    public IReadOnlyList<string> Values(IServiceProvider services)
    {
        const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        var value = owner.GetField(member, Static)?.GetValue(null)
            ?? owner.GetProperty(member, Static)?.GetValue(null)
            ?? owner.GetMethod(member, Static, [typeof(IServiceProvider)])?.Invoke(null, [services])
            ?? throw new InvalidOperationException($"{owner.Name}.{member} gives no values");
        return value switch
        {
            IEnumerable<KeyValuePair<string, string>> map => map.Select(kv => kv.Key).ToList(),
            IEnumerable<string> list => list.ToList(),
            IEnumerable items => items.Cast<object>().Select(o => o.ToString()!).ToList(),
            _ => throw new InvalidOperationException($"{owner.Name}.{member} is not a list of values"),
        };
    }
}

/// <summary>
/// The OpenAPI document as an integrator needs it to generate a client, from one set of conventions rather than
/// per-endpoint repetition: request fields are required only where the handler refuses them missing (<see cref="RequiredAttribute"/>)
/// and then not nullable; response fields are always present and nullable as their C# type says; fixed value sets
/// are enums (<see cref="OneOfAttribute"/>); every error is RFC 9457 <c>application/problem+json</c> with the field
/// errors (<c>errors</c>) and rule code (<c>code</c>) the <see cref="ProblemHandler"/> writes; bearer tokens are the
/// security scheme. Each endpoint names its operation (<c>WithName</c>) and its success (<c>Produces</c>).
/// </summary>
public static class OpenApi
{
    public const string ProblemSchema = "Problem";
    public const string Bearer = "bearer";
    public const string Cookie = "cookie";
    private const string ProblemJson = "application/problem+json";

    public static IServiceCollection AddLedsagOpenApi(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.AddDocumentTransformer((document, context, ct) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Ledsag API",
                Version = "v1",
                Description = "Ledsageordningen efter serviceloven § 97: sager, bevillinger, timer, ledsagere og breve. " +
                    "Integrationer logger ind med et adgangstoken (Authorization: Bearer …), som en administrator opretter med POST /api/tokens. " +
                    "Fejl svarer som application/problem+json (RFC 9457) med feltfejl i 'errors' og reglens kode i 'code'. " +
                    "Datoer er tekst på formen ÅÅÅÅ-MM-DD, timer er decimaltal.",
            };
            // The document is the same wherever it is fetched: a client sets its own base address.
            document.Servers = [];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer",
                    Description = "Et adgangstoken fra POST /api/tokens (kun administratorer opretter dem).",
                },
                [Cookie] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Cookie, Name = "ledsag",
                    Description = "Log ind med POST /api/auth/login. Ændringer med cookie kræver en Origin-header fra Ledsags egen adresse.",
                },
            };
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            foreach (var schema in document.Components.Schemas.Values.OfType<OpenApiSchema>())
            {
                foreach (var (name, field) in schema.Properties?.ToList() ?? [])
                {
                    // Generators read «oneOf: [null, $ref]» as a new type: a nullable object is instead a reference that may be absent.
                    if (field is OpenApiSchema { OneOf: { Count: 2 } options } && options.OfType<OpenApiSchemaReference>().FirstOrDefault() is { } reference &&
                        options.Any(o => o is OpenApiSchema { Type: JsonSchemaType.Null }))
                    {
                        schema.Properties![name] = reference;
                        schema.Required?.Remove(name);
                    }
                }
            }
            document.Components.Schemas[ProblemSchema] = Problem();
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, ct) =>
        {
            Describe(operation, context);
            return Task.CompletedTask;
        });
        o.AddSchemaTransformer((schema, context, ct) =>
        {
            if (context.JsonPropertyInfo is null && context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Properties is { Count: > 0 })
            {
                Fields(schema, context.JsonTypeInfo, context.ApplicationServices);
            }
            return Task.CompletedTask;
        });
    });

    /// <summary>The problem document <see cref="ProblemHandler"/> and ASP.NET Core write (RFC 9457 plus Ledsag's members).</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "En fejl (RFC 9457). 'title' siger på dansk, hvad der er galt; 'errors' navngiver felterne; 'code' er reglens kode.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Fejlen på dansk." },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Reglens kode, fx EXCLUDED_ACTIVITY, NOT_ASSESSED." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.Null,
                Description = "Feltfejl: feltets navn (som i forespørgslen, fx 'facts.botilbudCompanionHoursPerMonth') og årsagerne på dansk.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
        Required = new HashSet<string> { "title", "status" },
        // Some problems carry more members (the decision check's defects).
        AdditionalPropertiesAllowed = true,
    };

    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var authorized = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        var routeValues = description.ParameterDescriptions.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Path);
        var input = operation.RequestBody is not null || description.ParameterDescriptions.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Query);
        operation.Responses ??= new OpenApiResponses();
        var document = context.Document!;

        if (authorized)
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Cookie, document)] = [] },
            ];
        }
        if (operation.RequestBody is OpenApiRequestBody body && body.Content is not null)
        {
            foreach (var media in body.Content.Values)
            {
                // The handlers take «body?»: a missing body is read as an empty one. The document names the type itself.
                if (media.Schema is OpenApiSchema { OneOf: { Count: 2 } options } && options.FirstOrDefault(s => s is OpenApiSchemaReference) is { } reference)
                {
                    media.Schema = reference;
                }
            }
            var type = metadata.OfType<IAcceptsMetadata>().Select(a => a.RequestType).FirstOrDefault(t => t is not null);
            body.Required = type is not null && type.GetProperties().Any(p => p.IsDefined(typeof(RequiredAttribute)));
        }

        // The problems every operation of its kind can answer, by convention; 409 and 422 each endpoint names itself.
        var problems = new SortedDictionary<int, string>();
        if (input)
        {
            problems[400] = "Ugyldige oplysninger: 'errors' navngiver felterne.";
        }
        if (authorized)
        {
            problems[401] = "Ikke logget ind (manglende eller ugyldigt token).";
            problems[403] = "Rollen har ikke adgang, eller en ændring med cookie kom fra en anden hjemmeside.";
        }
        if (routeValues)
        {
            problems[404] = "Findes ikke (eller hører til en anden kommune).";
        }
        foreach (var (code, response) in operation.Responses.ToList())
        {
            if (int.TryParse(code, out var status) && status >= 400)
            {
                problems.TryAdd(status, "");
                operation.Responses.Remove(code);
            }
        }
        foreach (var (status, text) in problems)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = text.Length > 0 ? text : status switch
                {
                    409 => "Konflikt: sagens tilstand tillader det ikke, eller en anden ændrede den; 'code' siger hvilken regel.",
                    422 => "Afvist efter reglerne: 'code' og 'errors' siger hvorfor.",
                    429 => "For mange forsøg: prøv igen efter Retry-After.",
                    401 => "Forkert brugernavn eller adgangskode.",
                    503 => "Tjenesten svarer ikke (databasen).",
                    _ => "Fejl",
                },
                Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) } },
            };
        }
        // A file (PDF, CSV, xlsx, XML, calendar) named by Produces(contentType: …): ASP.NET Core documents no content for it.
        foreach (var file in metadata.OfType<IProducesResponseTypeMetadata>().Where(m => m.Type is null || m.Type == typeof(void)))
        {
            if (file.ContentTypes.Any() && operation.Responses.TryGetValue(file.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out var r) && r is OpenApiResponse fileResponse)
            {
                fileResponse.Content ??= new Dictionary<string, OpenApiMediaType>();
                foreach (var contentType in file.ContentTypes)
                {
                    fileResponse.Content.TryAdd(contentType, new OpenApiMediaType());
                }
            }
        }
        foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
        {
            foreach (var (contentType, media) in response.Content ?? new Dictionary<string, OpenApiMediaType>())
            {
                // A file (PDF, CSV, xlsx, XML, calendar): bytes, so a generated client hands back a stream.
                if (media.Schema is null && !contentType.Contains("json", StringComparison.Ordinal))
                {
                    media.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                }
            }
        }
    }

    /// <summary>Required, nullable, enum and example for each field of a request or response type.</summary>
    private static void Fields(OpenApiSchema schema, JsonTypeInfo type, IServiceProvider services)
    {
        var request = RequestTypes(services).Contains(type.Type);
        var required = new HashSet<string>(StringComparer.Ordinal);
        var nullability = new NullabilityInfoContext();
        foreach (var property in type.Properties)
        {
            if (!schema.Properties!.TryGetValue(property.Name, out var field) || property.AttributeProvider is not PropertyInfo clr)
            {
                continue;
            }
            var nullable = Nullable.GetUnderlyingType(clr.PropertyType) is not null ||
                (!clr.PropertyType.IsValueType && nullability.Create(clr).ReadState != NullabilityState.NotNull);
            // A request field is required where the handler refuses it missing; a response always carries every field.
            var isRequired = request ? clr.IsDefined(typeof(RequiredAttribute)) : true;
            if (request && isRequired)
            {
                nullable = false;
            }
            schema.Properties[property.Name] = field = Nullability(field, nullable);
            // Generators read «oneOf: [null, $ref]» as a new type: a nullable object is instead a reference that may be absent.
            if (isRequired && !(nullable && field is OpenApiSchemaReference))
            {
                required.Add(property.Name);
            }
            if (clr.GetCustomAttribute<OneOfAttribute>() is { } oneOf && field is OpenApiSchema concrete)
            {
                concrete.Enum = oneOf.Values(services).Select(v => (JsonNode)JsonValue.Create(v)!).ToList();
                if (nullable)
                {
                    concrete.Enum.Add(null!);
                }
                concrete.Description = oneOf.Description ?? concrete.Description;
            }
        }
        schema.Required = required;
        if (request && Examples.TryGetValue(type.Type, out var example))
        {
            var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            schema.Examples = [JsonSerializer.SerializeToNode(example, type.Type, json)!];
        }
    }

    /// <summary>A field's schema made nullable or not; a reference to another type stays a plain reference (its field is then optional).</summary>
    private static IOpenApiSchema Nullability(IOpenApiSchema field, bool nullable)
    {
        switch (field)
        {
            case OpenApiSchemaReference reference:
                return reference;
            case OpenApiSchema { OneOf: { Count: 2 } options } when options.Any(o => o is OpenApiSchema { Type: JsonSchemaType.Null }):
                return options.First(o => o is not OpenApiSchema { Type: JsonSchemaType.Null });
            case OpenApiSchema concrete when concrete.Type is { } t:
                concrete.Type = nullable ? t | JsonSchemaType.Null : t & ~JsonSchemaType.Null;
                return concrete;
            default:
                return field;
        }
    }

    /// <summary>The types the endpoints read from a body, and the types inside them.</summary>
    private static HashSet<Type> RequestTypes(IServiceProvider services)
    {
        var found = new HashSet<Type>();
        var pending = new Stack<Type>(services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints)
            .SelectMany(e => e.Metadata.OfType<IAcceptsMetadata>()).Select(a => a.RequestType).OfType<Type>());
        while (pending.TryPop(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type.IsPrimitive || type == typeof(string) || type.Namespace?.StartsWith("Ledsag", StringComparison.Ordinal) != true && !type.IsGenericType || !found.Add(type))
            {
                continue;
            }
            foreach (var inner in type.IsGenericType ? type.GetGenericArguments() : type.GetProperties().Select(p => p.PropertyType))
            {
                pending.Push(inner);
            }
        }
        return found;
    }

    /// <summary>Examples of the main request bodies, typed so they cannot drift from the records.</summary>
    private static readonly Dictionary<Type, object> Examples = new()
    {
        [typeof(Features.AuthEndpoints.LoginRequest)] = new Features.AuthEndpoints.LoginRequest("sagsbehandler", "hemmelig-kode"),
        [typeof(Features.AuthEndpoints.TokenRequest)] = new Features.AuthEndpoints.TokenRequest("Fagsystem", 90),
        [typeof(Features.CitizenEndpoints.CitizenRequest)] = new Features.CitizenEndpoints.CitizenRequest("120485-1234", "Test Borger", "Testvej 1, 2750 Ballerup",
            "70 11 22 33", null, false, null, null, null, "Centrum", null, true, false),
        [typeof(Features.CaseEndpoints.ApplicationRequest)] = new Features.CaseEndpoints.ApplicationRequest(Guid.Parse("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"), "2026-03-02", "borger.dk", null),
        [typeof(Features.CaseEndpoints.AssessmentRequest)] = new Features.CaseEndpoints.AssessmentRequest("2026-03-20",
            [new Features.CaseEndpoints.ThemeLevel("Mobilitet", 3, "Kørestolsbruger")], 3,
            new Features.CaseEndpoints.Facts(true, true, true, true, true, false, false, false, false, false, false, false, false, null), "Udredt ved hjemmebesøg."),
        [typeof(Features.CaseEndpoints.DraftRequest)] = new Features.CaseEndpoints.DraftRequest("2026-03-27", "digital", "grant", "Udkast: 15 timer om måneden.", null),
        [typeof(Features.Decisions.DraftAnswerRequest)] = new Features.Decisions.DraftAnswerRequest("2026-03-27", "telefon", "waiver", null),
        [typeof(Features.Decisions.DecisionRequest)] = new Features.Decisions.DecisionRequest("2026-04-10", "digital", "grant", null, null, "2026-04-13", null, null, null, null),
        [typeof(Features.CaseEndpoints.ComplaintRequest)] = new Features.CaseEndpoints.ComplaintRequest("2026-04-20", "Jeg er uenig i afgørelsen.", null, null),
        [typeof(Features.SessionEndpoints.SessionRequest)] = new Features.SessionEndpoints.SessionRequest("2026-06-10", "10:00", "12:00", 2, "cinema", null, null,
            null, null, "fagsystem-4711", null),
        [typeof(Features.CompanionEndpoints.CompanionRequest)] = new Features.CompanionEndpoints.CompanionRequest("Lise Ledsager", null, "20 30 40 50", null, "Centrum",
            "dansk, engelsk", [1, 3, 5], true, false, "municipality", null),
        [typeof(Features.CompanionEndpoints.DeclarationRequest)] = new Features.CompanionEndpoints.DeclarationRequest(Guid.Parse("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"), "none", null, null),
        [typeof(Features.GrantEndpoints.AssignRequest)] = new Features.GrantEndpoints.AssignRequest(Guid.Parse("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), "2026-06-01"),
    };
}
