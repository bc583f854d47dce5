using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LettersCompanionsCashAbroad : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "Users",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Phone",
                table: "Users",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "StayAbroadId",
                table: "Sessions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CashAdministrationAssessment",
                table: "Grants",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "CashChosenOn",
                table: "Grants",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Form",
                table: "Grants",
                type: "TEXT",
                maxLength: 4000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<Guid>(
                name: "ProviderId",
                table: "Companions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CashGrantPayments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MunicipalityId = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    GrantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CitizenId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    Quarter = table.Column<int>(type: "INTEGER", nullable: false),
                    Hours = table.Column<decimal>(type: "TEXT", precision: 12, scale: 2, nullable: false),
                    Rate = table.Column<decimal>(type: "TEXT", precision: 12, scale: 2, nullable: false),
                    Amount = table.Column<decimal>(type: "TEXT", precision: 12, scale: 2, nullable: false),
                    PaymentExportId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CashGrantPayments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CashGrantRates",
                columns: table => new
                {
                    MunicipalityId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    HourlyAmount = table.Column<decimal>(type: "TEXT", precision: 12, scale: 2, nullable: false),
                    OwnCostPerHour = table.Column<decimal>(type: "TEXT", precision: 12, scale: 2, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    EnteredBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    EnteredAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CashGrantRates", x => new { x.MunicipalityId, x.Year });
                });

            migrationBuilder.CreateTable(
                name: "Providers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MunicipalityId = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Cvr = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    ContactName = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Phone = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Email = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Providers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RelationDeclarations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MunicipalityId = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    CompanionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CitizenId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Relation = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    DeclaredOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    RecordedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExceptionReason = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ExceptionBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RelationDeclarations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "StaysAbroad",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MunicipalityId = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    GrantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CitizenId = table.Column<Guid>(type: "TEXT", nullable: false),
                    From = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    To = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    NotifiedOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    DecidedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    DecidedOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    DecisionNote = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StaysAbroad", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CashGrantPayments_GrantId_Year_Quarter",
                table: "CashGrantPayments",
                columns: new[] { "GrantId", "Year", "Quarter" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CashGrantPayments_MunicipalityId_Year",
                table: "CashGrantPayments",
                columns: new[] { "MunicipalityId", "Year" });

            migrationBuilder.CreateIndex(
                name: "IX_Providers_MunicipalityId_Cvr",
                table: "Providers",
                columns: new[] { "MunicipalityId", "Cvr" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RelationDeclarations_CompanionId_CitizenId",
                table: "RelationDeclarations",
                columns: new[] { "CompanionId", "CitizenId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StaysAbroad_GrantId_From",
                table: "StaysAbroad",
                columns: new[] { "GrantId", "From" });

            // A nominated companion's relation to the nominating citizen becomes that pair's declaration (and its exception).
            migrationBuilder.Sql(@"INSERT INTO ""RelationDeclarations"" (""Id"", ""MunicipalityId"", ""CompanionId"", ""CitizenId"", ""Relation"", ""Description"", ""DeclaredOn"", ""RecordedBy"", ""RecordedAt"", ""ExceptionReason"", ""ExceptionBy"")
                SELECT ""Id"", ""MunicipalityId"", ""Id"", ""NominatedByCitizenId"", CASE WHEN ""Relation"" = 'other' THEN 'other_close' ELSE ""Relation"" END, NULL, date('now'), '00000000-0000-0000-0000-000000000000', datetime('now'), ""RelationExceptionReason"", NULL
                FROM ""Companions"" WHERE ""NominatedByCitizenId"" IS NOT NULL AND ""Relation"" IS NOT NULL");

            migrationBuilder.DropColumn(
                name: "Relation",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "RelationExceptionReason",
                table: "Companions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CashGrantPayments");

            migrationBuilder.DropTable(
                name: "CashGrantRates");

            migrationBuilder.DropTable(
                name: "Providers");

            migrationBuilder.DropTable(
                name: "RelationDeclarations");

            migrationBuilder.DropTable(
                name: "StaysAbroad");

            migrationBuilder.DropColumn(
                name: "Email",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "Phone",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "StayAbroadId",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "CashAdministrationAssessment",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "CashChosenOn",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "Form",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "ProviderId",
                table: "Companions");

            migrationBuilder.AddColumn<string>(
                name: "Relation",
                table: "Companions",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RelationExceptionReason",
                table: "Companions",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);
        }
    }
}
