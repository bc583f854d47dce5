using System.Xml.Linq;
using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

/// <summary>
/// What a copy of the database cannot do: sign a cookie (the key ring is encrypted with a key outside it), or
/// rewrite or cut the audit log unnoticed (it is anchored with that key). Its own database: the tests tamper with it.
/// </summary>
public sealed class AuditAnchorTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private AuditLog Audit => factory.Services.GetRequiredService<AuditLog>();

    private string Connection => factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ConnectionStrings:Ledsag"]!;

    private static int _serial;

    private async Task Activity(int n)
    {
        var client = await factory.SignedIn("haderslev", Role.Caseworker);
        for (var i = 0; i < n; i++)
        {
            var k = Interlocked.Increment(ref _serial);
            await client.Post("/api/citizens", new { cpr = $"0101{50 + k:00}-{1000 + (k * 7)}", name = $"Borger {k}" }, System.Net.HttpStatusCode.Created);
        }
    }

    [Fact]
    public async Task TheKeyRing_IsEncrypted_AndACopyOfTheDatabaseAloneCannotSignACookie()
    {
        await factory.SignedIn("lejre", Role.Caseworker); // a sign-in makes the key ring
        var rows = await factory.WithDb(db => db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync());
        rows.ShouldNotBeEmpty();
        rows.ShouldAllBe(x => x.Contains("ledsagEncrypted") && !x.Contains("<masterKey"));

        // A copy of the keys without the master key: no key can be used. With it (the live server), one can.
        Should.Throw<Exception>(() => Protector(rows, null).Protect([1, 2, 3]));
        Protector(rows, factory.Services.GetRequiredService<MasterKey>()).Protect([1, 2, 3]).ShouldNotBeEmpty();
        Summary.Line("Keys: the Data Protection key ring is stored encrypted with the master key (outside the database); a copy of the database cannot sign a cookie");
    }

    private static IDataProtector Protector(IReadOnlyList<string> rows, MasterKey? key)
    {
        var services = new ServiceCollection();
        if (key is not null)
        {
            services.AddSingleton(key);
        }
        services.AddDataProtection().SetApplicationName("Ledsag").DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new Copy(rows));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", "Cookies", "v2");
    }

    private sealed class Copy(IReadOnlyList<string> rows) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => rows.Select(XElement.Parse).ToList();

        public void StoreElement(XElement element, string friendlyName) => throw new InvalidOperationException("read-only copy");
    }

    [Fact]
    public async Task DeletingTheNewestEntries_IsCaught_AndSoIsRehashingTheChainAfterAnEdit_OrStrippingItsSignatures()
    {
        await Activity(5);
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldBeNull();
        CliRunner.Run("audit", "verify", "--connection", Connection).Exit.ShouldBe(0);

        // Re-hash everything after an edit, as someone with the database but not the key would.
        var snapshot = await factory.WithDb(db => db.Audit.AsNoTracking().OrderBy(a => a.Sequence).ToListAsync());
        await factory.WithDb(async db =>
        {
            var entries = await db.Audit.OrderBy(a => a.Sequence).ToListAsync();
            entries[3].Detail = "rettet bagefter";
            var previous = AuditLog.Genesis;
            foreach (var e in entries)
            {
                e.PreviousHash = previous;
                e.DetailHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(e.Detail ?? "")));
                e.Hash = AuditLog.HashOf(e);
                previous = e.Hash;
            }
            // Clear the previous hashes first (they are unique), then write the whole new chain.
            await db.Audit.ExecuteUpdateAsync(a => a.SetProperty(x => x.PreviousHash, x => x.Hash + "x"));
            entries.ForEach(e => db.Entry(e).Property(x => x.PreviousHash).IsModified = true);
            await db.SaveChangesAsync();
            return 0;
        });
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldNotBeNull().ShouldContain("signaturen passer ikke");
        await factory.WithDb(async db =>
        {
            await db.Audit.ExecuteUpdateAsync(a => a.SetProperty(x => x.Mac, (string?)null));
            return 0;
        });
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldNotBeNull().ShouldContain("ikke forankret");

        // Put the real log back, then cut its newest entries.
        await factory.WithDb(async db =>
        {
            await db.Audit.ExecuteDeleteAsync();
            db.Audit.AddRange(snapshot.Select(e => { e.Id = 0; return e; }));
            await db.SaveChangesAsync();
            return 0;
        });
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldBeNull();
        var last = snapshot[^1].Sequence;
        await factory.WithDb(db => db.Audit.Where(a => a.Sequence > last - 3).ExecuteDeleteAsync());
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldNotBeNull().ShouldContain("de nyeste poster er slettet");
        var cli = CliRunner.Run("audit", "verify", "--connection", Connection);
        cli.Exit.ShouldBe(1);
        cli.Out.ShouldContain($"post {last}");
        Summary.Line("Audit anchor: an edit re-hashed without the key, stripped signatures and the newest 3 entries deleted are each caught by `ledsag audit verify`");
    }
    [Fact]
    public async Task ALogFromBeforeAnchoring_IsAnchoredOnce_WhenItsOldChainIsIntact()
    {
        await Activity(1);
        await factory.WithDb(async db =>
        {
            await db.Audit.ExecuteDeleteAsync();
            var previous = AuditLog.Genesis;
            for (var i = 1; i <= 3; i++)
            {
                var e = new AuditEntry
                {
                    Sequence = i, At = LedsagFactory.Now, Action = "create", Entity = "citizen", EntityId = Guid.NewGuid().ToString(), Detail = $"gammel post {i}",
                    PreviousHash = previous, Hash = "",
                };
                e.Hash = AuditLog.OldHashOf(e);
                previous = e.Hash;
                db.Audit.Add(e);
            }
            await db.SaveChangesAsync();
            return 0;
        });
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldNotBeNull().ShouldContain("ikke forankret");
        (await factory.WithDb(db => Audit.AnchorOlderEntriesAsync(db))).ShouldBe(3);
        (await factory.WithDb(db => Audit.VerifyAsync(db))).ShouldBe((3, null));
        (await factory.WithDb(db => Audit.AnchorOlderEntriesAsync(db))).ShouldBe(0); // once
        await Activity(1); // and the chain goes on from there
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldBeNull();
    }
}
