using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LetterPdf : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Body",
                table: "Letters",
                type: "character varying(20000)",
                maxLength: 20000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(4000)",
                oldMaxLength: 4000);

            migrationBuilder.AddColumn<byte[]>(
                name: "Pdf",
                table: "Letters",
                type: "bytea",
                maxLength: 20971520,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "SentAt",
                table: "Letters",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Letters_MunicipalityId_Status",
                table: "Letters",
                columns: new[] { "MunicipalityId", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Letters_MunicipalityId_Status",
                table: "Letters");

            migrationBuilder.DropColumn(
                name: "Pdf",
                table: "Letters");

            migrationBuilder.DropColumn(
                name: "SentAt",
                table: "Letters");

            migrationBuilder.AlterColumn<string>(
                name: "Body",
                table: "Letters",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(20000)",
                oldMaxLength: 20000);
        }
    }
}
