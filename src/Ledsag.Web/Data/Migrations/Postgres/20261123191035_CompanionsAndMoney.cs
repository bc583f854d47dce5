using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CompanionsAndMoney : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ConfirmedAt",
                table: "Sessions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ConfirmedBy",
                table: "Sessions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ConfirmedOnBehalf",
                table: "Sessions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<Guid>(
                name: "PayrollExportId",
                table: "Sessions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "Sessions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RegisteredByRole",
                table: "Sessions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<Guid>(
                name: "ReversalOf",
                table: "Sessions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "TravelMinutesNotCounted",
                table: "Sessions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "TripMinutes",
                table: "Sessions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Area",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Availability",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Cpr",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CriminalRecordClean",
                table: "Companions",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "CriminalRecordDate",
                table: "Companions",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "DrivingLicence",
                table: "Companions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Employer",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "FeedToken",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Languages",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "NominatedByCitizenId",
                table: "Companions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Phone",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Relation",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RelationExceptionReason",
                table: "Companions",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "Companions",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Companions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "WheelchairExperience",
                table: "Companions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Area",
                table: "Citizens",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "NeedsWheelchairHelp",
                table: "Citizens",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "PreferredLanguage",
                table: "Citizens",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "WantsDriver",
                table: "Citizens",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "Exports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MunicipalityId = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Kind = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Period = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    Content = table.Column<string>(type: "text", maxLength: 50000000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Exports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Letters",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MunicipalityId = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    CitizenId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    Kind = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Subject = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Body = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    DedupKey = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Letters", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MatchProposals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MunicipalityId = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    CitizenId = table.Column<Guid>(type: "uuid", nullable: false),
                    CompanionId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProposedOn = table.Column<DateOnly>(type: "date", nullable: false),
                    MeetingOn = table.Column<DateOnly>(type: "date", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    OutcomeNote = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MatchProposals", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PlannedSessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    GrantId = table.Column<Guid>(type: "uuid", nullable: false),
                    CompanionId = table.Column<Guid>(type: "uuid", nullable: true),
                    Date = table.Column<DateOnly>(type: "date", nullable: false),
                    Start = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    End = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    Activity = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Note = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    CancelledAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PlannedSessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubsidyClaims",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MunicipalityId = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    CitizenId = table.Column<Guid>(type: "uuid", nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    SubmittedOn = table.Column<DateOnly>(type: "date", nullable: false),
                    Status = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    ClaimedAmount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false),
                    ApprovedAmount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: true),
                    CapReason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    DecidedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    DecidedOn = table.Column<DateOnly>(type: "date", nullable: true),
                    PaymentExportId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubsidyClaims", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubsidyExpenses",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ClaimId = table.Column<Guid>(type: "uuid", nullable: false),
                    Date = table.Column<DateOnly>(type: "date", nullable: false),
                    What = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Amount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false),
                    ReceiptFileName = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ReceiptContentType = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Receipt = table.Column<byte[]>(type: "bytea", maxLength: 5242880, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubsidyExpenses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SubsidyRates",
                columns: table => new
                {
                    Year = table.Column<int>(type: "integer", nullable: false),
                    Amount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false),
                    Source = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    EnteredBy = table.Column<Guid>(type: "uuid", nullable: false),
                    EnteredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubsidyRates", x => x.Year);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_CompanionId_Date",
                table: "Sessions",
                columns: new[] { "CompanionId", "Date" });

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_PayrollExportId",
                table: "Sessions",
                column: "PayrollExportId");

            migrationBuilder.CreateIndex(
                name: "IX_Companions_FeedToken",
                table: "Companions",
                column: "FeedToken",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Exports_MunicipalityId_Kind_Period",
                table: "Exports",
                columns: new[] { "MunicipalityId", "Kind", "Period" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Letters_CitizenId",
                table: "Letters",
                column: "CitizenId");

            migrationBuilder.CreateIndex(
                name: "IX_Letters_DedupKey",
                table: "Letters",
                column: "DedupKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MatchProposals_CitizenId_CompanionId",
                table: "MatchProposals",
                columns: new[] { "CitizenId", "CompanionId" });

            migrationBuilder.CreateIndex(
                name: "IX_PlannedSessions_CompanionId_Date",
                table: "PlannedSessions",
                columns: new[] { "CompanionId", "Date" });

            migrationBuilder.CreateIndex(
                name: "IX_PlannedSessions_GrantId",
                table: "PlannedSessions",
                column: "GrantId");

            migrationBuilder.CreateIndex(
                name: "IX_SubsidyClaims_CitizenId_Year",
                table: "SubsidyClaims",
                columns: new[] { "CitizenId", "Year" });

            migrationBuilder.CreateIndex(
                name: "IX_SubsidyExpenses_ClaimId",
                table: "SubsidyExpenses",
                column: "ClaimId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Exports");

            migrationBuilder.DropTable(
                name: "Letters");

            migrationBuilder.DropTable(
                name: "MatchProposals");

            migrationBuilder.DropTable(
                name: "PlannedSessions");

            migrationBuilder.DropTable(
                name: "SubsidyClaims");

            migrationBuilder.DropTable(
                name: "SubsidyExpenses");

            migrationBuilder.DropTable(
                name: "SubsidyRates");

            migrationBuilder.DropIndex(
                name: "IX_Sessions_CompanionId_Date",
                table: "Sessions");

            migrationBuilder.DropIndex(
                name: "IX_Sessions_PayrollExportId",
                table: "Sessions");

            migrationBuilder.DropIndex(
                name: "IX_Companions_FeedToken",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "ConfirmedAt",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "ConfirmedBy",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "ConfirmedOnBehalf",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "PayrollExportId",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "RegisteredByRole",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "ReversalOf",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "TravelMinutesNotCounted",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "TripMinutes",
                table: "Sessions");

            migrationBuilder.DropColumn(
                name: "Area",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Availability",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Cpr",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "CriminalRecordClean",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "CriminalRecordDate",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "DrivingLicence",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Email",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Employer",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "FeedToken",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Languages",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "NominatedByCitizenId",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Phone",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Relation",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "RelationExceptionReason",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "WheelchairExperience",
                table: "Companions");

            migrationBuilder.DropColumn(
                name: "Area",
                table: "Citizens");

            migrationBuilder.DropColumn(
                name: "NeedsWheelchairHelp",
                table: "Citizens");

            migrationBuilder.DropColumn(
                name: "PreferredLanguage",
                table: "Citizens");

            migrationBuilder.DropColumn(
                name: "WantsDriver",
                table: "Citizens");
        }
    }
}
