using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LedgerCoveringIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Sessions_GrantId_Date",
                table: "Sessions");

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_GrantId_Date_Sequence",
                table: "Sessions",
                columns: new[] { "GrantId", "Date", "Sequence" })
                .Annotation("Npgsql:IndexInclude", new[] { "Minutes", "ReversalOf", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Sessions_GrantId_Date_Sequence",
                table: "Sessions");

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_GrantId_Date",
                table: "Sessions",
                columns: new[] { "GrantId", "Date" });
        }
    }
}
