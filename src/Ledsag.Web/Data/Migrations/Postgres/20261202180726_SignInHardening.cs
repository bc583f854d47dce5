using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SignInHardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FailedLogins",
                table: "Users");

            migrationBuilder.RenameColumn(
                name: "LockedUntil",
                table: "Users",
                newName: "DisabledAt");

            migrationBuilder.AddColumn<string>(
                name: "SecurityStamp",
                table: "Users",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "ExpiresAt",
                table: "ApiTokens",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // A lock was not a disabling: nobody starts out disabled. Every user gets a stamp of their own (old cookies,
            // which carry none, stop working: everyone signs in once more), and tokens that never expired expire in 90 days.
            migrationBuilder.Sql("""
                UPDATE "Users" SET "DisabledAt" = NULL;
                UPDATE "Users" SET "SecurityStamp" = md5(random()::text || "Id"::text);
                UPDATE "ApiTokens" SET "ExpiresAt" = now() + interval '90 days';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SecurityStamp",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "ApiTokens");

            migrationBuilder.RenameColumn(
                name: "DisabledAt",
                table: "Users",
                newName: "LockedUntil");

            migrationBuilder.AddColumn<int>(
                name: "FailedLogins",
                table: "Users",
                type: "integer",
                nullable: false,
                defaultValue: 0);
        }
    }
}
