using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OneGrantInForce : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "AgreedOn",
                table: "SavingsAgreements",
                type: "date",
                nullable: false,
                defaultValue: new DateOnly(1, 1, 1));

            migrationBuilder.AddColumn<string>(
                name: "CompanionExpenses",
                table: "SavingsAgreements",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CompanionId",
                table: "SavingsAgreements",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EarlierHours",
                table: "Grants",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "InForceCitizenId",
                table: "Grants",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "LedgerStart",
                table: "Grants",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ReplacesGrantId",
                table: "Grants",
                type: "uuid",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "DataJson",
                table: "CaseSteps",
                type: "character varying(200000)",
                maxLength: 200000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(4000)",
                oldMaxLength: 4000);

            migrationBuilder.AddColumn<int>(
                name: "CaseVersion",
                table: "CaseSteps",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            // An agreement made before this column existed counts as made on its first day; a citizen's newest open
            // grant is the one in force (an older open grant beside it is the defect this index now prevents).
            migrationBuilder.Sql("UPDATE \"SavingsAgreements\" SET \"AgreedOn\" = \"From\";");
            migrationBuilder.Sql("UPDATE \"Grants\" SET \"InForceCitizenId\" = \"CitizenId\" WHERE \"EndReason\" IS NULL AND \"Id\" = " +
                "(SELECT g2.\"Id\" FROM \"Grants\" g2 WHERE g2.\"CitizenId\" = \"Grants\".\"CitizenId\" AND g2.\"EndReason\" IS NULL ORDER BY g2.\"Start\" DESC, g2.\"Id\" LIMIT 1);");

            migrationBuilder.CreateIndex(
                name: "IX_Grants_InForceCitizenId",
                table: "Grants",
                column: "InForceCitizenId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Grants_InForceCitizenId",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "AgreedOn",
                table: "SavingsAgreements");

            migrationBuilder.DropColumn(
                name: "CompanionExpenses",
                table: "SavingsAgreements");

            migrationBuilder.DropColumn(
                name: "CompanionId",
                table: "SavingsAgreements");

            migrationBuilder.DropColumn(
                name: "EarlierHours",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "InForceCitizenId",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "LedgerStart",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "ReplacesGrantId",
                table: "Grants");

            migrationBuilder.DropColumn(
                name: "CaseVersion",
                table: "CaseSteps");

            migrationBuilder.AlterColumn<string>(
                name: "DataJson",
                table: "CaseSteps",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(200000)",
                oldMaxLength: 200000);
        }
    }
}
