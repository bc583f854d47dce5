using Ledsag.Web.Data;
using Ledsag.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;

namespace Ledsag.Web;

/// <summary>First-run work: migrate the database, register the municipalities of the standards, seed demo data.</summary>
public static class Startup
{
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
        if (demo)
        {
            await DemoData.SeedAsync(scope.ServiceProvider);
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
