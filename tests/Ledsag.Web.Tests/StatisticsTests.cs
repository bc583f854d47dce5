using System.Net;
using Ledsag.Web.Data;
using Shouldly;
using Xunit;

namespace Ledsag.Web.Tests;

public sealed class StatisticsTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    [Fact]
    public async Task Statistics_CountDecisionsWithinTheProcessingTime_HoursAndComplaints_AndExportToExcel()
    {
        var client = await factory.SignedIn("lejre", Role.Caseworker);
        async Task<Guid> Decided(string cpr, string received, string decided)
        {
            var citizen = (await client.Post("/api/citizens", new { cpr, name = "Statistik" }, HttpStatusCode.Created)).Id();
            var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = received, channel = "telefon" }, HttpStatusCode.Created)).Id();
            await client.Post($"/api/cases/{id}/assessment", new { assessedOn = received, facts = new { } });
            await client.Post($"/api/cases/{id}/decision", new { decidedOn = decided, outcome = "grant", start = decided });
            return id;
        }
        // Lejre publishes 4 weeks: the first is decided in time, the second late.
        var inTime = await Decided("010185-1111", "2026-02-02", "2026-02-20");
        await Decided("010185-2222", "2026-02-02", "2026-03-20");
        await client.Post($"/api/cases/{inTime}/complaint", new { receivedOn = "2026-03-02", text = "Uenig" });
        await client.Post($"/api/cases/{inTime}/complaint/reassessment", new { decidedOn = "2026-03-10", outcome = "partial", justification = "Delvist" });

        var stats = await client.Get("/api/statistics?year=2026");
        stats.GetProperty("shareWithinDeadline").GetDecimal().ShouldBe(50m);
        stats.GetProperty("grants").GetInt32().ShouldBe(2);
        stats.GetProperty("complaintOutcomes").GetProperty("delvist medhold").GetInt32().ShouldBe(1);
        var march = stats.GetProperty("months")[2];
        march.GetProperty("activeGrants").GetInt32().ShouldBe(2);
        march.GetProperty("complaints").GetInt32().ShouldBe(1);
        await client.Get("/api/statistics?year=1999", HttpStatusCode.BadRequest);

        var response = await client.GetAsync("/api/statistics.xlsx?year=2026");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var sheet = new XlsxSheet(new MemoryStream(bytes), "Måneder");
        sheet.Cell(1, 3).ShouldBe("Timer brugt");
        sheet.Cell(13, 1).ShouldBe("2026-12");
        Convert.ToInt32(sheet.Value(3, 5), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(1); // February: one decision, a number
        new XlsxSheet(new MemoryStream(bytes), "Overblik").Cell(4, 2).ShouldBe("50");

        var citizen = await factory.SignedIn("lejre", Role.Citizen);
        await citizen.Get("/api/statistics", HttpStatusCode.Forbidden);
    }
}
