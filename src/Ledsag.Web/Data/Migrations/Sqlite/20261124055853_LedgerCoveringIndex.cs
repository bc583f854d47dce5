using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Sqlite
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
                name: "IX_Sessions_GrantId_Date_Sequence_Minutes_ReversalOf_Id",
                table: "Sessions",
                columns: new[] { "GrantId", "Date", "Sequence", "Minutes", "ReversalOf", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Sessions_GrantId_Date_Sequence_Minutes_ReversalOf_Id",
                table: "Sessions");

            migrationBuilder.CreateIndex(
                name: "IX_Sessions_GrantId_Date",
                table: "Sessions",
                columns: new[] { "GrantId", "Date" });
        }
    }
}
