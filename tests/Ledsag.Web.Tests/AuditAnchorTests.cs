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
        var snapshot = await factory.WithDb(db => db.Audit.AsNoTracking().OrderBy(a => a.Chain).ThenBy(a => a.Sequence).ToListAsync());
        await factory.WithDb(async db =>
        {
            var entries = await db.Audit.Where(a => a.Chain == "haderslev").OrderBy(a => a.Sequence).ToListAsync();
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
            await db.Audit.Where(a => a.Chain == "haderslev").ExecuteUpdateAsync(a => a.SetProperty(x => x.PreviousHash, x => x.Hash + "x"));
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
        var last = snapshot.Where(a => a.Chain == "haderslev").Max(a => a.Sequence);
        await factory.WithDb(db => db.Audit.Where(a => a.Chain == "haderslev" && a.Sequence > last - 3).ExecuteDeleteAsync());
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldNotBeNull().ShouldContain("de nyeste poster er slettet");
        var cli = CliRunner.Run("audit", "verify", "--connection", Connection);
        cli.Exit.ShouldBe(1);
        cli.Out.ShouldContain($"post {last}");
        Summary.Line("Audit anchor: an edit re-hashed without the key, stripped signatures and the newest 3 entries deleted are each caught by `ledsag audit verify`");
    }
    [Fact]
    public async Task EachMunicipality_HasItsOwnChain_AndAChainDeletedWhole_IsCaught()
    {
        var gribskov = await factory.SignedIn("gribskov", Role.Caseworker);
        var lejre = await factory.SignedIn("lejre", Role.Caseworker);
        // 20 at once in each of two municipalities: every entry ends up sealed, each chain a line of its own.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
        {
            var k = Interlocked.Increment(ref _serial);
            return (i % 2 == 0 ? gribskov : lejre).Post("/api/citizens", new { cpr = $"0202{50 + k:00}-{1000 + (k * 7)}", name = $"Borger {k}" }, System.Net.HttpStatusCode.Created);
        }));
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldBeNull();
        var chains = await factory.WithDb(db => db.Audit.AsNoTracking().Where(a => a.Chain == "gribskov" || a.Chain == "lejre")
            .GroupBy(a => a.Chain).Select(g => new { Chain = g.Key, Count = g.Count(), Max = g.Max(a => a.Sequence), Min = g.Min(a => a.Sequence) }).ToListAsync());
        chains.Count.ShouldBe(2);
        chains.ShouldAllBe(c => c.Min == 1 && c.Max == c.Count && c.Count > 20);
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Sequence == 0))).ShouldBe(0);
        (await factory.WithDb(db => db.Audit.Where(a => a.Chain == "gribskov" && a.Sequence == 1).Select(a => a.Action).SingleAsync())).ShouldBe("chain-start");
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.Chain == AuditLog.SharedChain && a.Action == "chain-opened" && a.EntityId == "gribskov"))).ShouldBe(1);
        // Entries of one municipality never go into another's chain.
        (await factory.WithDb(db => db.Audit.CountAsync(a => a.MunicipalityId != null && a.Chain != a.MunicipalityId))).ShouldBe(0);

        // Deleting Gribskov's chain whole (entries and all) leaves no broken link in what is left, but the shared chain knows it was there.
        var kept = await factory.WithDb(db => db.Audit.AsNoTracking().Where(a => a.Chain == "gribskov").ToListAsync());
        await factory.WithDb(db => db.Audit.Where(a => a.Chain == "gribskov").ExecuteDeleteAsync());
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldNotBeNull().ShouldContain("kæden for gribskov mangler");
        await factory.WithDb(async db =>
        {
            db.Audit.AddRange(kept);
            return await db.SaveChangesAsync();
        });
        (await factory.WithDb(db => Audit.VerifyAsync(db))).Problem.ShouldBeNull();
        Summary.Line("Audit chains: one chain per municipality (40 parallel writes in two municipalities: two unbroken chains, nothing left unsealed); a municipality's chain deleted whole is caught through the shared chain");
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
