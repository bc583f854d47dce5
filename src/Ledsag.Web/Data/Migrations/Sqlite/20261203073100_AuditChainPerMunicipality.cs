using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditChainPerMunicipality : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Audit_PreviousHash",
                table: "Audit");

            migrationBuilder.DropIndex(
                name: "IX_Audit_Sequence",
                table: "Audit");

            migrationBuilder.AddColumn<string>(
                name: "Chain",
                table: "Audit",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_Audit_Chain_PreviousHash",
                table: "Audit",
                columns: new[] { "Chain", "PreviousHash" },
                unique: true,
                filter: "\"Sequence\" > 0");

            migrationBuilder.CreateIndex(
                name: "IX_Audit_Chain_Sequence",
                table: "Audit",
                columns: new[] { "Chain", "Sequence" },
                unique: true,
                filter: "\"Sequence\" > 0");

            migrationBuilder.CreateIndex(
                name: "IX_Audit_Unsealed",
                table: "Audit",
                columns: new[] { "Chain", "Id" },
                filter: "\"Sequence\" = 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Audit_Chain_PreviousHash",
                table: "Audit");

            migrationBuilder.DropIndex(
                name: "IX_Audit_Chain_Sequence",
                table: "Audit");

            migrationBuilder.DropIndex(
                name: "IX_Audit_Unsealed",
                table: "Audit");

            migrationBuilder.DropColumn(
                name: "Chain",
                table: "Audit");

            migrationBuilder.CreateIndex(
                name: "IX_Audit_PreviousHash",
                table: "Audit",
                column: "PreviousHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Audit_Sequence",
                table: "Audit",
                column: "Sequence",
                unique: true);
        }
    }
}
