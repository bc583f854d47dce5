using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Web;

/// <summary>First-run work: migrate the database, register the municipalities of the standards, seed demo data.</summary>
public static class Startup
{
    /// <summary>
    /// <c>--demo --reset</c>: deletes the demo database before <see cref="PrepareDatabaseAsync"/> creates and seeds it again;
    /// returns why not when the database holds more than the demo data.
    /// </summary>
    public static async Task<string?> ResetDemoAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        return await DemoData.ResetAsync(scope.ServiceProvider.GetRequiredService<LedsagDb>());
    }

    public static async Task PrepareDatabaseAsync(IServiceProvider services, bool demo)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LedsagDb>();
        await Database.MigrateAsync(db);
        var standards = scope.ServiceProvider.GetRequiredService<Standards>();
        foreach (var m in standards.Set.Municipalities.Values)
        {
            if (!await db.Municipalities.AnyAsync(x => x.Id == m.Id))
            {
                db.Municipalities.Add(new Municipality { Id = m.Id, Name = m.Name });
            }
        }
        await db.SaveChangesAsync();
        await SecureKeysAsync(scope.ServiceProvider, db);
        if (demo)
        {
            await DemoData.SeedAsync(scope.ServiceProvider);
        }
    }

    /// <summary>
    /// Before the key ring was encrypted, its keys lay in the database as plain text: a backup could sign
    /// cookies. Such keys are revoked (everyone signs in once more) and new ones are made encrypted. An audit
    /// log written before anchoring is anchored once.
    /// </summary>
    private static async Task SecureKeysAsync(IServiceProvider services, LedsagDb db)
    {
        var plain = await db.DataProtectionKeys.Where(k => k.Xml != null && k.Xml.Contains("<masterKey")).ExecuteDeleteAsync();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("Ledsag.Startup");
        if (plain > 0)
        {
            log.LogWarning("Removed {Count} unencrypted Data Protection keys; new keys are encrypted with the master key. Everyone signs in again.", plain);
        }
        var anchored = await services.GetRequiredService<AuditLog>().AnchorOlderEntriesAsync(db);
        if (anchored > 0)
        {
            log.LogWarning("Anchored the audit log: {Count} entries sealed with the master key.", anchored);
        }
    }

    public static void PrintWelcome(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        Console.WriteLine();
        Console.WriteLine($"Ledsag kører: {string.Join(", ", addresses)}   (API-reference: /api-reference, sundhed: /health)");
        Console.WriteLine($"Demo-logins (adgangskode for alle: {DemoData.Password}):");
        foreach (var m in DemoData.Municipalities)
        {
            Console.WriteLine($"  {m,-12} " + string.Join("  ", DemoData.Roles.Select(r => $"{r}.{m}")));
        }
        Console.WriteLine();
    }
}
