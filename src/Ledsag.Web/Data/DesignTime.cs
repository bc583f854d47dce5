using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Ledsag.Web.Data;

/// <summary>For <c>dotnet ef migrations add</c> only: builds each provider's context without a running host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteLedsagDb>
{
    public SqliteLedsagDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteLedsagDb>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>For <c>dotnet ef migrations add</c> only; no server is contacted.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresLedsagDb>
{
    public PostgresLedsagDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresLedsagDb>().UseNpgsql("Host=localhost;Database=ledsag_design").Options);
}
