using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LetterPdf : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "Pdf",
                table: "Letters",
                type: "BLOB",
                maxLength: 20971520,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "SentAt",
                table: "Letters",
                type: "TEXT",
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
        }
    }
}
