using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ledsag.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OneAnswerOneAssignment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Assignments_CompanionId_CitizenId",
                table: "Assignments");

            // A companion assigned to the same citizen twice at once (possible before this index): the later duplicates end where they began.
            migrationBuilder.Sql(@"UPDATE ""Assignments"" SET ""EndedOn"" = ""From"" WHERE ""EndedOn"" IS NULL AND EXISTS (SELECT 1 FROM ""Assignments"" b
                WHERE b.""CompanionId"" = ""Assignments"".""CompanionId"" AND b.""CitizenId"" = ""Assignments"".""CitizenId"" AND b.""EndedOn"" IS NULL
                AND (b.""From"" < ""Assignments"".""From"" OR (b.""From"" = ""Assignments"".""From"" AND b.""Id"" < ""Assignments"".""Id"")))");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_CompanionId_CitizenId",
                table: "Assignments",
                columns: new[] { "CompanionId", "CitizenId" },
                unique: true,
                filter: "\"EndedOn\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Assignments_CompanionId_CitizenId",
                table: "Assignments");

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_CompanionId_CitizenId",
                table: "Assignments",
                columns: new[] { "CompanionId", "CitizenId" });
        }
    }
}
