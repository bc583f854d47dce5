namespace Ledsag.Web.Tests;

/// <summary>Runs the real <c>ledsag</c> command in-process, with the repository's standards unless told otherwise.</summary>
internal static class CliRunner
{
    public static string Standards => Path.Combine(Cli.Tests.CliRoot.Repo, "standards");

    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = Cli.LedsagCommand.Run(args.Contains("--standards") ? args : [.. args, "--standards", Standards], output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
