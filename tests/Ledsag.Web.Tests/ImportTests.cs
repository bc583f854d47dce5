using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ledsag.Domain.Cases;
using Ledsag.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Shouldly;
using Xunit;
using Xunit.Abstractions;

namespace Ledsag.Web.Tests;

public sealed class ImportTests(SqliteFactory factory, ITestOutputHelper log) : IClassFixture<SqliteFactory>
{
    private string Connection => factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ConnectionStrings:Ledsag"]!;

    private (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run([.. args, "--connection", Connection]);

    [Fact]
    public async Task Citizens_FromWindows1252_BadRowsReported_NothingImportedUntilClean_ThenIdempotent()
    {
        _ = factory.Server; // the host migrates the database
        using var dir = new Cli.Tests.TempDirectory();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bad = "cpr;navn;adresse;telefon;email;førtidspension\r\n" +
                  "010190-1234;Søren Ørsted;Åvej 1;;;nej\r\n" +
                  "311390-1234;Forkert Dato;;;;nej\r\n" +
                  "0101901235;;;;;ja\r\n" +
                  "020290-1234;Pia Pension;;;;måske\r\n" +
                  "010190-1234;Dublet;;;;nej\r\n";
        var file = Path.Combine(Path.GetTempPath(), $"borgere-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(file, Encoding.GetEncoding(1252).GetBytes(bad));
        var before = await factory.WithDb(db => db.Citizens.CountAsync());

        var (exit, output, error) = Run("import", "citizens", file, "--municipality", "lejre");
        exit.ShouldBe(1);
        error.ShouldContain("række 3, kolonne cpr: CPR-nummerets første seks cifre er ikke en gyldig fødselsdato.");
        error.ShouldContain("række 4, kolonne navn: skal udfyldes");
        error.ShouldContain("række 5, kolonne førtidspension: 'måske' er hverken ja eller nej");
        error.ShouldContain("række 6, kolonne cpr: samme CPR-nummer står tidligere i filen");
        output.ShouldContain("Intet importeret: 4 af 5 rækker har fejl");
        Run("import", "citizens", file, "--municipality", "lejre", "--apply").Exit.ShouldBe(1);
        (await factory.WithDb(db => db.Citizens.CountAsync())).ShouldBe(before);

        var (skipExit, skipOut, _) = Run("import", "citizens", file, "--municipality", "lejre", "--skip-invalid");
        skipExit.ShouldBe(0);
        skipOut.ShouldContain("Importeret: 1 nye");
        File.ReadAllText(file + ".fejl.csv").ShouldContain("Pia Pension");
        (await factory.WithDb(db => db.Citizens.Where(c => c.Cpr == "0101901234").Select(c => c.Name).SingleAsync())).ShouldBe("Søren Ørsted");

        File.WriteAllText(file, "cpr;navn;førtidspension\n010190-1234;Søren Ørsted;nej\n020290-1234;Pia Pension;ja\n", Encoding.UTF8);
        Run("import", "citizens", file, "--municipality", "lejre", "--apply").Out.ShouldContain("Importeret: 1 nye, 1 fandtes i forvejen");
        Run("import", "citizens", file, "--municipality", "lejre", "--apply").Out.ShouldContain("Importeret: 0 nye, 2 fandtes i forvejen");
        Run("import", "borgerz", file, "--municipality", "lejre").Exit.ShouldBe(2);
        Run("import", "citizens", "/nonexistent.csv", "--municipality", "lejre").Exit.ShouldBe(2);
        File.WriteAllText(file, "cpr;navn;skostørrelse\n");
        Run("import", "citizens", file, "--municipality", "lejre").Err.ShouldContain("række 1, kolonne skostørrelse: ukendt kolonne");
    }

    [Fact]
    public async Task Citizens_QuotedFieldsWithSemicolonsLineBreaksAndQuotes_ImportIntact_BadRowsAtTheirExcelRow_AndTheErrorFileRoundTrips()
    {
        _ = factory.Server;
        using var dir = new Cli.Tests.TempDirectory();
        // As Excel writes «CSV UTF-8»: a BOM, CRLF, and a field in quotes wherever it holds ; a line break or a quote.
        var file = dir.Write("borgere.csv", "\uFEFFcpr;navn;adresse;telefon;email;førtidspension\r\n" +
            "150385-1234;Anna Adresse;\"Åvej 1; 2. th.\r\n4000 Roskilde\";12345678;;nej\r\n" +
            "160385-1234;\"Bo \"\"Bosse\"\" Berg\";\"Strandvej 3\";;;ja\r\n" +
            "170385-1234;;\"Ingen navn; men en adresse\r\nover to linjer med \"\"citat\"\"\";;;nej\r\n" +
            "180385-1234;Carl Citat;\"Torvet 2\";;;\"måske\"\r\n" +
            "190385-1234;Dorte Dansk;;;;ja\r\n");

        var (exit, output, error) = Run("import", "citizens", file, "--municipality", "bronderslev");
        exit.ShouldBe(1);
        // Rows as Excel numbers them: a record whose address spans two lines is one row, so the nameless one is row 4, not 5.
        error.ShouldContain("række 4, kolonne navn: skal udfyldes");
        error.ShouldContain("række 5, kolonne førtidspension: 'måske' er hverken ja eller nej");
        error.ShouldNotContain("række 6");
        output.ShouldContain("Intet importeret: 2 af 5 rækker har fejl");

        var (skipExit, skipOut, _) = Run("import", "citizens", file, "--municipality", "bronderslev", "--skip-invalid");
        skipExit.ShouldBe(0);
        skipOut.ShouldContain("Importeret: 3 nye, 0 fandtes i forvejen, 2 rækker afvist");
        var anna = await factory.WithDb(db => db.Citizens.SingleAsync(c => c.Cpr == "1503851234"));
        anna.Address.ShouldBe("Åvej 1; 2. th.\r\n4000 Roskilde");
        anna.Phone.ShouldBe("12345678");
        (await factory.WithDb(db => db.Citizens.Where(c => c.Cpr == "1603851234").Select(c => c.Name).SingleAsync())).ShouldBe("Bo \"Bosse\" Berg");

        // The error file is CSV that the same reader reads back: the bad rows' fields as they were, and the reasons.
        var errors = new List<Cli.ImportCommand.RowError>();
        using (var rejected = Cli.CsvRecords.Open(file + ".fejl.csv", ["cpr", "navn", "adresse", "telefon", "email", "førtidspension"], [], errors))
        {
            errors.ShouldBeEmpty();
            rejected.Header.ShouldBe(["cpr", "navn", "adresse", "telefon", "email", "førtidspension", "fejl"]);
            rejected.Read().ShouldBeTrue();
            rejected.Fields.ShouldBe(["170385-1234", "", "Ingen navn; men en adresse\r\nover to linjer med \"citat\"", "", "", "nej", "navn: skal udfyldes"]);
            rejected.Read().ShouldBeTrue();
            rejected.Fields.ShouldBe(["180385-1234", "Carl Citat", "Torvet 2", "", "", "måske", "førtidspension: 'måske' er hverken ja eller nej"]);
            rejected.Read().ShouldBeFalse();
        }

        // Corrected in place, the error file imports as it is: its «fejl» column is ignored.
        var fixedFile = dir.Write("rettet.csv", File.ReadAllText(file + ".fejl.csv").Replace("170385-1234;;", "170385-1234;Eva Eftertanke;").Replace("\"måske\"", "nej").Replace(";måske;", ";nej;"));
        Run("import", "citizens", fixedFile, "--municipality", "bronderslev", "--apply").Out.ShouldContain("Importeret: 2 nye, 0 fandtes i forvejen");
        (await factory.WithDb(db => db.Citizens.Where(c => c.Cpr == "1703851234").Select(c => c.Address).SingleAsync())).ShouldBe("Ingen navn; men en adresse\r\nover to linjer med \"citat\"");

        // A quote left open before the rest of a long file: refused with its row, not buffered to the end.
        var open = dir.Write("aaben.csv", "cpr;navn;adresse\n150385-1234;A;Vej 1\n160385-1234;\"B;Vej 2\n" + string.Concat(Enumerable.Repeat("170385-1234;C;Vej 3\n", 10_000)));
        var refused = Run("import", "citizens", open, "--municipality", "bronderslev");
        refused.Exit.ShouldBe(2);
        refused.Err.ShouldContain("række 3: et felt er over 100.000 tegn; et anførselstegn (\") er nok ikke lukket");
    }

    [Fact]
    public async Task Citizens_FromWindows1252_WithAQuotedLineBreak_AndTheFirstLetterPastTheFirst64Kilobytes()
    {
        _ = factory.Server;
        using var dir = new Cli.Tests.TempDirectory();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var text = new StringBuilder("cpr;navn;adresse\r\n");
        for (var i = 0; i < 3000; i++)
        {
            // Plain ASCII for well over 64 KB: the encoding is decided by the whole file, not its start.
            text.Append(CultureInfo.InvariantCulture, $"{1 + (i % 28):00}{1 + (i / 28 % 12):00}{40 + (i / 336):00}-{2000 + i};Borger {i};Vej {i}, 4000 Roskilde\r\n");
        }
        text.Append("010150-9999;Søren Ærø Ørsted;\"Åbyvej 7; baghuset\r\n4000 Roskilde\"\r\n");
        var file = Path.Combine(Path.GetTempPath(), $"borgere-1252-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(file, Encoding.GetEncoding(1252).GetBytes(text.ToString()));
        new FileInfo(file).Length.ShouldBeGreaterThan(100_000);

        var (exit, output, error) = Run("import", "citizens", file, "--municipality", "lejre", "--apply");
        exit.ShouldBe(0, error);
        output.ShouldContain("Importeret: 3001 nye");
        var soeren = await factory.WithDb(db => db.Citizens.SingleAsync(c => c.Cpr == "0101509999"));
        soeren.Name.ShouldBe("Søren Ærø Ørsted");
        soeren.Address.ShouldBe("Åbyvej 7; baghuset\r\n4000 Roskilde");
        File.Delete(file);
    }

    [Fact]
    public async Task Sessions_OutOfDateOrderInTheFile_GoThroughTheLedgerInDateOrder()
    {
        var client = await factory.SignedIn("lejre", Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr = "080880-1234", name = "Uordnet Borger" }, System.Net.HttpStatusCode.Created)).Id();
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-01-05", channel = "telefon" }, System.Net.HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-01-10", facts = new { } });
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-01-20", outcome = "grant", start = "2026-02-01" })).Id("grantId");
        using var dir = new Cli.Tests.TempDirectory();
        // February has 15 hours: the 5th comes first in the ledger, so the 20th (above it in the file) is the one without hours.
        var file = dir.Write("ledsagelser.csv", "cpr;dato;timer;aktivitet;km\n" +
            "080880-1234;20-02-2026;10;cinema;\n" +
            "080880-1234;05-02-2026;10;cinema;\"12,5\"\n");
        var (exit, _, error) = Run("import", "sessions", file, "--municipality", "lejre", "--skip-invalid");
        exit.ShouldBe(0);
        error.ShouldContain("række 2, kolonne timer: Der er ikke timer nok til rådighed den dag.");
        var booked = await factory.WithDb(db => db.Sessions.Where(s => s.GrantId == grant).ToListAsync());
        booked.ShouldHaveSingleItem().Date.ShouldBe(new LocalDate(2026, 2, 5));
        booked[0].Km.ShouldBe(12.5m);
    }

    [Fact]
    public async Task Sessions_CommaSeparatedFile_IsRecognisedByItsHeader_AndReadsDecimalPoints()
    {
        var client = await factory.SignedIn("lejre", Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr = "090990-1234", name = "Komma Borger" }, System.Net.HttpStatusCode.Created)).Id();
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-01-05", channel = "telefon" }, System.Net.HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-01-10", facts = new { } });
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-01-20", outcome = "grant", start = "2026-02-01" })).Id("grantId");
        using var dir = new Cli.Tests.TempDirectory();
        var file = dir.Write("ledsagelser.csv", "cpr,dato,timer,aktivitet,km\n090990-1234,2026-02-05,2.5,cinema,\"7,5\"\n090990-1234,2026-02-06,1.25,cinema,3.5\n");
        var (exit, output, error) = Run("import", "sessions", file, "--municipality", "lejre", "--apply");
        exit.ShouldBe(0, error);
        output.ShouldContain("Importeret: 2 nye");
        var booked = await factory.WithDb(db => db.Sessions.Where(s => s.GrantId == grant).OrderBy(s => s.Date).Select(s => new { s.Minutes, s.Km }).ToListAsync());
        booked.Select(s => s.Minutes).ShouldBe([150, 75]);
        booked.Select(s => s.Km).ShouldBe([7.5m, 3.5m]);
    }

    [Fact]
    public async Task Sessions_GoThroughTheEngine_WithTheStandardsExclusionsAndTheBalance()
    {
        var client = await factory.SignedIn("haderslev", Role.Caseworker);
        var citizen = (await client.Post("/api/citizens", new { cpr = "070770-1234", name = "Import Borger" }, System.Net.HttpStatusCode.Created)).Id();
        var id = (await client.Post("/api/cases", new { citizenId = citizen, receivedOn = "2026-01-05", channel = "telefon" }, System.Net.HttpStatusCode.Created)).Id();
        await client.Post($"/api/cases/{id}/assessment", new { assessedOn = "2026-01-10", facts = new { } });
        var grant = (await client.Post($"/api/cases/{id}/decision", new { decidedOn = "2026-01-20", outcome = "grant", start = "2026-02-01" })).Id("grantId");
        // Read first, so the server keeps this replay: the import below must make it read again.
        (await client.Get($"/api/grants/{grant}/balance?date=2026-02-28")).GetProperty("available").GetDecimal().ShouldBe(15m);
        var file = Path.Combine(Path.GetTempPath(), $"ledsagelser-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, "cpr;dato;start;slut;timer;aktivitet;km\n" +
            "070770-1234;03-02-2026;10:00;12:30;;cinema;12,5\n" +
            "070770-1234;2026-02-10;;;3,5;shopping;\n" +
            "070770-1234;11-02-2026;;;2;doctor;\n" +
            "070770-1234;12-02-2026;;;10;sport;\n" +
            "070770-1234;30-02-2026;;;1;sport;\n" +
            "070770-1234;01-07-2030;;;1;sport;\n" +
            "070770-1234;13-02-2026;;;0,333;sport;\n" +
            "999999-1234;13-02-2026;;;1;sport;\n");
        var (exit, _, error) = Run("import", "sessions", file, "--municipality", "haderslev");
        exit.ShouldBe(1);
        error.ShouldContain("række 4, kolonne aktivitet: udelukket aktivitet: haderslev.txt");
        error.ShouldContain("række 5, kolonne timer: Der er ikke timer nok til rådighed den dag.");
        error.ShouldContain("række 6, kolonne dato: '30-02-2026' er ikke en dato");
        error.ShouldContain("række 7, kolonne dato: en gennemført ledsagelse kan ikke ligge i fremtiden");
        error.ShouldContain("række 8, kolonne timer: '0,333' skal være et positivt antal timer i hele minutter");
        error.ShouldContain("række 9, kolonne cpr: CPR-nummerets første seks cifre er ikke en gyldig fødselsdato.");
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.GrantId == grant))).ShouldBe(0);

        Run("import", "sessions", file, "--municipality", "haderslev", "--skip-invalid").Exit.ShouldBe(0);
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.GrantId == grant))).ShouldBe(2);
        (await client.Get($"/api/grants/{grant}/balance?date=2026-02-28")).GetProperty("available").GetDecimal().ShouldBe(9m);
        Run("import", "sessions", file, "--municipality", "haderslev", "--skip-invalid").Out.ShouldContain("Importeret: 0 nye, 2 fandtes i forvejen");
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.GrantId == grant))).ShouldBe(2);
    }

    [Fact]
    public async Task AHundredThousandSessions_ImportThroughTheEngine_AndTheRateIsReported()
    {
        var grants = await factory.WithDb(async db =>
        {
            var list = new List<(string Cpr, Guid Grant)>();
            for (var i = 0; i < 200; i++)
            {
                var cpr = $"{1 + (i % 28):00}0{1 + (i / 28)}8{i % 10}-{1000 + i}";
                var citizen = new Citizen { MunicipalityId = "ballerup", Cpr = cpr.Replace("-", ""), BirthDate = new LocalDate(1980 + (i % 10), 1 + (i / 28), 1 + (i % 28)), Name = $"Masse {i}" };
                var c = new Data.Case { MunicipalityId = "ballerup", CitizenId = citizen.Id, Number = $"BAL-BULK-{i}", Channel = "import", ReceivedOn = new LocalDate(2020, 11, 1), State = CaseState.Granted };
                var g = new Data.Grant { CaseId = c.Id, CitizenId = citizen.Id, MunicipalityId = "ballerup", Start = new LocalDate(2021, 1, 1), MinutesPerMonth = 900 };
                db.AddRange(citizen, c, g);
                list.Add((cpr, g.Id));
            }
            await db.SaveChangesAsync();
            return list;
        });
        var file = Path.Combine(Path.GetTempPath(), $"masse-{Guid.NewGuid():N}.csv");
        using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            writer.WriteLine("cpr;dato;start;slut;timer;aktivitet;km");
            var first = new LocalDate(2021, 1, 4);
            for (var n = 0; n < 500; n++)
            {
                var day = first.PlusDays(n * 3);
                foreach (var (cpr, _) in grants)
                {
                    writer.WriteLine($"{cpr};{day:dd-MM-yyyy};;;1;cinema;2,5");
                }
            }
        }
        var clock = Stopwatch.StartNew();
        var (exit, output, error) = Run("import", "sessions", file, "--municipality", "ballerup", "--apply");
        clock.Stop();
        exit.ShouldBe(0, error);
        output.ShouldContain("Importeret: 100000 nye");
        (await factory.WithDb(db => db.Sessions.CountAsync(s => s.RegisteredByRole == "Import" && s.Activity == "cinema" && s.Km == 2.5m))).ShouldBe(100_000);
        error.ShouldContain("100000/100000 rækker"); // the progress bar on stderr
        log.WriteLine($"100,000-row session import: {clock.Elapsed.TotalSeconds:0.0} s, {100_000 / clock.Elapsed.TotalSeconds:0} rows/s — {output.Trim()}");
    }
}

/// <summary>Grants, agreements and companions from an old system, with bad rows of each kind.</summary>
public sealed class ImportKindsTests(SqliteFactory factory) : IClassFixture<SqliteFactory>
{
    private (int Exit, string Out, string Err) Run(params string[] args) =>
        CliRunner.Run([.. args, "--connection", factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["ConnectionStrings:Ledsag"]!]);

    private static string Csv(string text)
    {
        var file = Path.Combine(Path.GetTempPath(), $"import-{Guid.NewGuid():N}.csv");
        File.WriteAllText(file, text);
        return file;
    }

    [Fact]
    public async Task GrantsAgreementsAndCompanions_ImportWithEveryBadRowReported_AndTwiceAddsNothing()
    {
        _ = factory.Server;
        Run("import", "citizens", Csv("cpr;navn\n121280-1234;Gitte Grant\n"), "--municipality", "gribskov", "--apply").Exit.ShouldBe(0);

        var grants = Csv("cpr;start;slut;timer_pr_måned;begrundelse\n121280-1234;01-01-2025;;15;Fra gammelt system\n121280-1234;2025-13-01;;15;\n999999-0000;01-01-2025;;15;\n121280-1234;01-03-2025;01-02-2025;8;\n121280-1234;01-04-2025;;20;\n");
        var (exit, _, error) = Run("import", "grants", grants, "--municipality", "gribskov");
        exit.ShouldBe(1);
        error.ShouldContain("række 3, kolonne start: '2025-13-01' er ikke en dato");
        error.ShouldContain("række 4, kolonne cpr:");
        error.ShouldContain("række 5, kolonne slut: slutdatoen ligger før startdatoen");
        error.ShouldContain("række 6, kolonne timer_pr_måned: skal være 0–15 timer");
        Run("import", "grants", grants, "--municipality", "gribskov", "--skip-invalid").Out.ShouldContain("Importeret: 1 nye");
        Run("import", "grants", grants, "--municipality", "gribskov", "--skip-invalid").Out.ShouldContain("Importeret: 0 nye, 1 fandtes i forvejen");

        var agreements = Csv("cpr;fra;til;formål\n121280-1234;01-02-2025;31-12-2025;Rejse\n121280-1234;01-02-2024;31-12-2024;Før bevillingen\n121280-1234;01-02-2025;31-01-2025;Baglæns\n121280-1234;01-02-2025;31-12-2025;\n");
        var agreementRun = Run("import", "agreements", agreements, "--municipality", "gribskov");
        agreementRun.Err.ShouldContain("række 3, kolonne fra: borgeren har ingen bevilling den dag");
        agreementRun.Err.ShouldContain("række 4, kolonne til: slutdatoen ligger før startdatoen");
        agreementRun.Err.ShouldContain("række 5, kolonne formål: skal udfyldes");
        Run("import", "agreements", agreements, "--municipality", "gribskov", "--skip-invalid").Out.ShouldContain("Importeret: 1 nye");

        var companions = Csv("navn;cpr;telefon;område;kørekort;kørestol;status\nLars Ledsager;030370-1234;12345678;Helsinge;ja;nej;ansat\n;030370-2234;;;;;\nMia;030370-3234;;;måske;;ansat\nOle;030370-4234;;;;;pensioneret\n");
        var companionRun = Run("import", "companions", companions, "--municipality", "gribskov");
        companionRun.Err.ShouldContain("række 3, kolonne navn: skal udfyldes");
        companionRun.Err.ShouldContain("række 4, kolonne kørekort: 'måske' er hverken ja eller nej");
        companionRun.Err.ShouldContain("række 5, kolonne status: 'pensioneret' er ikke en status");
        Run("import", "companions", companions, "--municipality", "gribskov", "--skip-invalid").Out.ShouldContain("Importeret: 1 nye");
        Run("import", "companions", companions, "--municipality", "gribskov", "--skip-invalid").Out.ShouldContain("Importeret: 0 nye, 1 fandtes i forvejen");

        var grant = await factory.WithDb(db => db.Grants.SingleAsync(g => g.MunicipalityId == "gribskov" && g.Start == new LocalDate(2025, 1, 1)));
        (await factory.WithDb(db => db.SavingsAgreements.CountAsync(a => a.GrantId == grant.Id))).ShouldBe(1);
        (await factory.WithDb(db => db.Companions.CountAsync(k => k.Name == "Lars Ledsager" && k.Status == CompanionStatus.Employed && k.DrivingLicence))).ShouldBe(1);
        Run("import", "sessions", Csv("cpr;dato;timer;aktivitet\n121280-1234;05-02-2025;2;cinema\n"), "--municipality", "gribskov", "--apply").Out.ShouldContain("Importeret: 1 nye");
    }
}
