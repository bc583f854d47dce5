namespace Ledsag.Cli;

/// <summary>The <c>ledsag</c> executable.</summary>
public static class EntryPoint
{
    public static int Main(string[] args) => LedsagCommand.Run(args, Console.Out, Console.Error);
}
