using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// The administrator's users: made within their own municipality with a one-time password shown once, a user name
/// taken once whatever its case (also by 20 requests at once), another municipality's users invisible, a municipality
/// never without an active administrator, and disabling, a new role or a new password ending every cookie.
/// </summary>
public abstract class UserAdministrationTests(LedsagFactory factory)
{
    private static string Unique(string prefix) => $"{prefix}.{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private HttpClient Anonymous() => factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });

    private static Task<HttpResponseMessage> Login(HttpClient client, string userName, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { userName, password });

    private static async Task<(Guid Id, string UserName, string Password)> Create(HttpClient admin, string role = "Caseworker", string? userName = null)
    {
        userName ??= Unique("bruger");
        var created = await admin.Post("/api/admin/users", new { displayName = "Test Bruger", userName, role }, HttpStatusCode.Created);
        return (created.GetProperty("user").Id(), userName, created.Str("oneTimePassword"));
    }

    private async Task<HttpClient> SignedInAs(string userName, string password)
    {
        var client = Anonymous();
        (await Login(client, userName, password)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return client;
    }

    [Fact]
    public async Task Create_ALocalUser_GivesAOneTimePasswordOnce_StoresOnlyItsHash_AndTheUserSignsInWithIt()
    {
        var admin = await factory.SignedIn("haderslev", Role.Administrator);
        var userName = Unique("Anna.Holm");
        var created = await admin.Post("/api/admin/users",
            new { displayName = "Anna Holm", userName, role = "Coordinator", phone = "70 10 20 30", email = "anna@haderslev.dk" }, HttpStatusCode.Created);
        var password = created.Str("oneTimePassword");
        password.ShouldMatch("^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$");
        var user = created.GetProperty("user");
        user.Str("userName").ShouldBe(userName.ToLowerInvariant());
        user.Str("roleName").ShouldBe("Ledsagerkoordinator");
        user.Str("login").ShouldBe("local");

        var stored = await factory.WithDb(db => db.Users.AsNoTracking().FirstAsync(u => u.Id == user.Id()));
        stored.PasswordHash.ShouldNotBeNull();
        stored.PasswordHash.ShouldNotContain(password);
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "create" && a.Entity == "user" && a.EntityId == stored.Id.ToString()))).ShouldBe(1);
        (await factory.WithDb(db => db.Audit.AnyAsync(a => a.Detail != null && a.Detail.Contains(password)))).ShouldBeFalse();

        // Signs in with the name as typed (any case), sees their role; the list never shows a password.
        var coordinator = await SignedInAs(userName, password);
        (await coordinator.Get("/api/me")).Str("role").ShouldBe("Coordinator");
        var list = await admin.Get("/api/admin/users");
        list.EnumerateArray().Select(u => u.Str("userName")).ShouldContain(userName.ToLowerInvariant());
        list.GetRawText().ShouldNotContain(password);
        (await coordinator.GetAsync("/api/admin/users")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Create_WithAUserNameTakenInAnyCaseOrMunicipality_Is422NamingTheField_AndSavesNothing()
    {
        var admin = await factory.SignedIn("haderslev", Role.Administrator);
        var other = await factory.SignedIn("ballerup", Role.Administrator);
        var (_, userName, _) = await Create(admin);
        foreach (var (client, name) in new[] { (admin, userName), (admin, userName.ToUpperInvariant()), (other, userName) })
        {
            var refused = await client.Post("/api/admin/users", new { displayName = "Dublet", userName = name, role = "Finance" }, HttpStatusCode.UnprocessableEntity);
            refused.GetProperty("errors").GetProperty("userName")[0].GetString()!.ShouldContain("allerede i brug");
        }
        (await factory.WithDb(db => db.Users.CountAsync(u => u.DisplayName == "Dublet"))).ShouldBe(0);
    }

    [Fact]
    public async Task TwentyIdenticalCreatesAtOnce_MakeOneUser_AndTheRestAClearErrorNeverA500()
    {
        var admin = await factory.SignedIn("haderslev", Role.Administrator);
        var userName = Unique("parallel");
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            admin.PostAsJsonAsync("/api/admin/users", new { displayName = "Parallel Bruger", userName, role = "Caseworker" })));
        answers.Count(a => a.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            problem.GetProperty("errors").GetProperty("userName")[0].GetString()!.ShouldContain("allerede i brug");
        }
        (await factory.WithDb(db => db.Users.CountAsync(u => u.UserName == userName))).ShouldBe(1);
        Summary.Line("Users: 20 identical creates at once → 1 user, 19 answered 422 naming the user name");
    }

    [Fact]
    public async Task BadInput_IsRefusedNamingEachField_AndCitizensAndCompanionsAreNotMadeHere()
    {
        var admin = await factory.SignedIn("haderslev", Role.Administrator);
        var bad = await admin.Post("/api/admin/users",
            new { displayName = "Anna\nHolm", userName = "anna holm", role = "Citizen", phone = "ring", email = "ikke en adresse" }, HttpStatusCode.BadRequest);
        var errors = bad.GetProperty("errors");
        foreach (var field in new[] { "displayName", "userName", "role", "phone", "email" })
        {
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);
        }
        errors.GetProperty("role")[0].GetString()!.ShouldContain("Borgere og ledsagere");
        (await admin.Post("/api/admin/users", new { displayName = "X", userName = Unique("x"), role = "Companion" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("role")[0].GetString()!.ShouldContain("Borgere og ledsagere");
        (await admin.Post("/api/admin/users", new { displayName = "X", userName = Unique("x"), role = "Caseworker", login = "municipal" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("externalSubject")[0].GetString().ShouldBe("Skal udfyldes.");
        (await admin.Post("/api/admin/users", new { }, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("role")[0].GetString().ShouldBe("Vælg en rolle.");
    }

    [Fact]
    public async Task AUserOfTheMunicipalitysLogin_HasNoPasswordToReset()
    {
        var admin = await factory.SignedIn("haderslev", Role.Administrator);
        var subject = Guid.NewGuid().ToString();
        var created = await admin.Post("/api/admin/users",
            new { displayName = "Ekstern Bruger", userName = Unique("ekstern"), role = "Finance", login = "municipal", externalSubject = subject }, HttpStatusCode.Created);
        created.GetProperty("oneTimePassword").ValueKind.ShouldBe(JsonValueKind.Null);
        created.GetProperty("user").Str("login").ShouldBe("municipal");
        (await factory.WithDb(db => db.Users.FirstAsync(u => u.ExternalSubject == subject))).PasswordHash.ShouldBeNull();
        (await admin.Post($"/api/admin/users/{created.GetProperty("user").Id()}/reset-password", new { }, HttpStatusCode.UnprocessableEntity))
            .Str("title").ShouldContain("kommunens login");
        (await admin.Post("/api/admin/users", new { displayName = "Igen", userName = Unique("igen"), role = "Finance", login = "municipal", externalSubject = subject }, HttpStatusCode.UnprocessableEntity))
            .GetProperty("errors").TryGetProperty("externalSubject", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task AnotherMunicipalitysUser_Is404ForEveryChange_AndTheAttemptIsAudited()
    {
        var lejre = await factory.SignedIn("lejre", Role.Administrator);
        var (id, userName, password) = await Create(lejre);
        var intruder = await factory.SignedIn("bronderslev", Role.Administrator);
        var before = await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "denied" && a.MunicipalityId == "bronderslev"));
        foreach (var action in new[] { "role", "disable", "enable", "reset-password" })
        {
            await intruder.Post($"/api/admin/users/{id}/{action}", new { role = "Administrator" }, HttpStatusCode.NotFound);
        }
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "denied" && a.MunicipalityId == "bronderslev"))).ShouldBe(before + 4);
        (await intruder.Get("/api/admin/users")).GetRawText().ShouldNotContain(id.ToString());
        await SignedInAs(userName, password); // nothing changed
        var user = await factory.WithDb(db => db.Users.AsNoTracking().FirstAsync(u => u.Id == id));
        (user.Role, user.DisabledAt).ShouldBe((Role.Caseworker, null));
    }

    [Fact]
    public async Task AnAdministrator_CannotDisableThemselfOrDropTheirOwnRole_AndTwoDisablingEachOtherAtOnceLeaveOneActive()
    {
        var first = await factory.SignedIn("gribskov", Role.Administrator);
        var firstId = (await first.Get("/api/me")).Id();
        var refused = await first.Post($"/api/admin/users/{firstId}/disable", new { }, HttpStatusCode.UnprocessableEntity);
        refused.Str("code").ShouldBe("OWN_ACCOUNT");
        (await first.Post($"/api/admin/users/{firstId}/role", new { role = "Caseworker" }, HttpStatusCode.UnprocessableEntity))
            .GetProperty("errors").GetProperty("role")[0].GetString()!.ShouldContain("din egen rolle som administrator");

        var (secondId, secondName, secondPassword) = await Create(first, "Administrator");
        var second = await SignedInAs(secondName, secondPassword);
        // Each removes the other at the same moment: the municipality keeps one active administrator.
        var answers = await Task.WhenAll(
            first.PostAsJsonAsync($"/api/admin/users/{secondId}/disable", new { }),
            second.PostAsJsonAsync($"/api/admin/users/{firstId}/disable", new { }));
        answers.ShouldAllBe(a => (int)a.StatusCode < 500);
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        var admins = await factory.WithDb(db => db.Users.AsNoTracking().Where(u => u.MunicipalityId == "gribskov" && u.Role == Role.Administrator && u.DisabledAt == null).CountAsync());
        admins.ShouldBeGreaterThanOrEqualTo(1);
        (await factory.WithDb(db => db.Users.AsNoTracking().CountAsync(u => (u.Id == firstId || u.Id == secondId) && u.DisabledAt == null))).ShouldBe(1);
    }

    [Fact]
    public async Task TheLastActiveAdministrator_CannotBeDisabledOrDemoted()
    {
        // Through the API the caller is an active administrator, so the last one is always the caller (refused above);
        // here the handler is called as an administrator who is not (or no longer) active, as after a race.
        var municipality = $"test-{Guid.NewGuid():N}";
        var last = new User { MunicipalityId = municipality, UserName = Unique("sidste"), DisplayName = "Sidste Administrator", Role = Role.Administrator };
        await factory.WithDb(async db =>
        {
            db.Users.Add(last);
            return await db.SaveChangesAsync();
        });
        var caller = new Infrastructure.Actor(Guid.NewGuid(), municipality, Role.Administrator, null, null);
        using var scope = factory.Services.CreateScope();
        var services = scope.ServiceProvider;
        var (db, audit, today, locks) = (services.GetRequiredService<LedsagDb>(), services.GetRequiredService<Infrastructure.AuditLog>(),
            services.GetRequiredService<Infrastructure.Today>(), services.GetRequiredService<Infrastructure.KeyedLocks>());
        var disable = await Should.ThrowAsync<Infrastructure.ProblemException>(() => Features.UserEndpoints.DisableAsync(caller, last.Id, db, audit, today, locks, default));
        (disable.Status, disable.Code).ShouldBe((422, "LAST_ADMINISTRATOR"));
        var demote = await Should.ThrowAsync<Infrastructure.ProblemException>(() =>
            Features.UserEndpoints.ChangeRoleAsync(caller, last.Id, new("Caseworker"), db, audit, locks, default));
        (demote.Status, demote.Code).ShouldBe((422, "LAST_ADMINISTRATOR"));
        demote.Errors["role"][0].ShouldContain("sidste aktive administrator");
        db.ChangeTracker.Clear();
        (await db.Users.AsNoTracking().FirstAsync(u => u.Id == last.Id)).ShouldSatisfyAllConditions(u => u.Role.ShouldBe(Role.Administrator), u => u.DisabledAt.ShouldBeNull());
    }

    [Fact]
    public async Task ADisabledUser_CannotSignIn_TheirCookieAndTokenStop_AndEnablingLetsThemSignInAgain()
    {
        var admin = await factory.SignedIn("lejre", Role.Administrator);
        var (id, userName, password) = await Create(admin, "Administrator");
        var user = await SignedInAs(userName, password);
        var token = (await user.Post("/api/tokens", new { name = "Lønsystem" }, HttpStatusCode.Created)).Str("token");
        var integration = Anonymous();
        integration.DefaultRequestHeaders.Authorization = new("Bearer", token);
        (await integration.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await admin.Post($"/api/admin/users/{id}/disable", new { })).GetProperty("disabled").GetBoolean().ShouldBeTrue();
        (await user.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await integration.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Login(Anonymous(), userName, password)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "disable" && a.EntityId == id.ToString()))).ShouldBe(1);

        (await admin.Post($"/api/admin/users/{id}/enable", new { })).GetProperty("disabled").GetBoolean().ShouldBeFalse();
        (await user.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized); // the old cookie stays ended
        await SignedInAs(userName, password);
    }

    [Fact]
    public async Task ResetPassword_GivesANewOneTimePassword_TheOldOneAndTheCookieStop()
    {
        var admin = await factory.SignedIn("lejre", Role.Administrator);
        var (id, userName, password) = await Create(admin);
        var user = await SignedInAs(userName, password);
        var reset = await admin.Post($"/api/admin/users/{id}/reset-password", new { });
        var fresh = reset.Str("oneTimePassword");
        fresh.ShouldNotBe(password);
        (await user.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Login(Anonymous(), userName, password)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await SignedInAs(userName, fresh);
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Action == "reset-password" && a.EntityId == id.ToString()))).ShouldBe(1);
    }

    [Fact]
    public async Task ANewRole_EndsTheCookie_AndAppliesFromTheNextSignIn()
    {
        var admin = await factory.SignedIn("lejre", Role.Administrator);
        var (id, userName, password) = await Create(admin, "Finance");
        var user = await SignedInAs(userName, password);
        (await admin.Post($"/api/admin/users/{id}/role", new { role = "Caseworker" })).Str("roleName").ShouldBe("Sagsbehandler");
        (await user.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await (await SignedInAs(userName, password)).Get("/api/me")).Str("role").ShouldBe("Caseworker");
        (await admin.Post($"/api/admin/users/{id}/role", new { role = "Citizen" }, HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("role")[0].GetString()!.ShouldContain("Borgere og ledsagere");
    }
}

[Collection("sqlite")]
public sealed class SqliteUserAdministrationTests(SqliteFactory factory) : UserAdministrationTests(factory), IClassFixture<SqliteFactory>;

[Collection("postgres")]
public sealed class PostgresUserAdministrationTests(PostgresFactory factory) : UserAdministrationTests(factory), IClassFixture<PostgresFactory>;
