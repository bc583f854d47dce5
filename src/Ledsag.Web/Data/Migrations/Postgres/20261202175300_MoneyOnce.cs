using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MoneyOnce : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_SubsidyRates",
                table: "SubsidyRates");

            migrationBuilder.DropIndex(
                name: "IX_SubsidyClaims_CitizenId_Year",
                table: "SubsidyClaims");

            migrationBuilder.AddColumn<string>(
                name: "MunicipalityId",
                table: "SubsidyRates",
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddPrimaryKey(
                name: "PK_SubsidyRates",
                table: "SubsidyRates",
                columns: new[] { "MunicipalityId", "Year" });

            migrationBuilder.CreateIndex(
                name: "IX_SubsidyClaims_CitizenId_Year",
                table: "SubsidyClaims",
                columns: new[] { "CitizenId", "Year" },
                unique: true,
                filter: "\"Status\" <> 'rejected'");

            // Amounts entered before were shared by every municipality: each keeps them as its own, so nothing changes for anyone until corrected.
            migrationBuilder.Sql("""
                INSERT INTO "SubsidyRates" ("MunicipalityId", "Year", "Amount", "Source", "EnteredBy", "EnteredAt")
                SELECT m."Id", r."Year", r."Amount", r."Source", r."EnteredBy", r."EnteredAt" FROM "SubsidyRates" r CROSS JOIN "Municipalities" m WHERE r."MunicipalityId" = '';
                DELETE FROM "SubsidyRates" WHERE "MunicipalityId" = '';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_SubsidyRates",
                table: "SubsidyRates");

            migrationBuilder.DropIndex(
                name: "IX_SubsidyClaims_CitizenId_Year",
                table: "SubsidyClaims");

            migrationBuilder.DropColumn(
                name: "MunicipalityId",
                table: "SubsidyRates");

            migrationBuilder.AddPrimaryKey(
                name: "PK_SubsidyRates",
                table: "SubsidyRates",
                column: "Year");

            migrationBuilder.CreateIndex(
                name: "IX_SubsidyClaims_CitizenId_Year",
                table: "SubsidyClaims",
                columns: new[] { "CitizenId", "Year" });
        }
    }
}
