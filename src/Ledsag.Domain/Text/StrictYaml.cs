using System.Globalization;
using NodaTime;
using NodaTime.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ledsag.Domain.Text;

/// <summary>
/// Reads YAML into nodes that know their file and line, and fails on anything unexpected:
/// unknown keys, wrong types and missing values are errors with file, line, key and reason.
/// Rule files are read by people, so nothing in them is silently ignored.
/// </summary>
public static class StrictYaml
{
    /// <summary>Parses one YAML document; a syntax error becomes a <see cref="RuleFileException"/>.</summary>
    public static YNode Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw new RuleFileException(new RuleFileError(file, (int)e.Start.Line, "", $"ugyldig YAML: {Clean(reason)}"));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on a flow collection ([ or {) left open at the end of the file.
            var lines = text.TrimEnd('\n').Split('\n').Length;
            throw new RuleFileException(new RuleFileError(file, lines, "", "ugyldig YAML: en [ eller { er ikke lukket, før filen slutter"));
        }
        if (stream.Documents.Count == 0)
        {
            throw new RuleFileException(new RuleFileError(file, 1, "", "filen er tom"));
        }
        if (stream.Documents.Count > 1)
        {
            throw new RuleFileException(new RuleFileError(file, (int)stream.Documents[1].RootNode.Start.Line, "", "filen må kun indeholde ét YAML-dokument"));
        }
        return new YNode(stream.Documents[0].RootNode, file, "");
    }

    private static string Clean(string message)
    {
        // YamlDotNet prefixes positions like "(Line: 3, Col: 5, Idx: 20) - (…): "; the line is reported separately.
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 ? message[(cut + 3)..] : message;
    }
}

/// <summary>A YAML node with its file, line and key path, and typed readers that report errors precisely.</summary>
public sealed class YNode
{
    private readonly YamlNode _node;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    internal YNode(YamlNode node, string file, string path)
    {
        _node = node;
        File = file;
        Path = path;
    }

    /// <summary>The file the node came from.</summary>
    public string File { get; }

    /// <summary>The key path of the node, e.g. <c>usage[2].hours</c>.</summary>
    public string Path { get; }

    /// <summary>1-based line of the node.</summary>
    public int Line => (int)_node.Start.Line;

    /// <summary>True for a mapping.</summary>
    public bool IsMapping => _node is YamlMappingNode;

    /// <summary>True for a sequence.</summary>
    public bool IsSequence => _node is YamlSequenceNode;

    /// <summary>True for an explicit null (<c>null</c>, <c>~</c> or nothing).</summary>
    public bool IsNull => _node is YamlScalarNode s && s.Style == ScalarStyle.Plain &&
                          (s.Value is null || s.Value is "" or "~" or "null" or "Null" or "NULL");

    /// <summary>An error located at this node.</summary>
    public RuleFileException Error(string reason) => new(new RuleFileError(File, Line, Path, reason));

    /// <summary>The keys of a mapping, in file order.</summary>
    public IReadOnlyList<string> Keys => AsMapping().Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "").ToList();

    /// <summary>The value under <paramref name="key"/>; an error when it is missing.</summary>
    public YNode Required(string key) =>
        Optional(key) ?? throw Error($"mangler nøglen '{key}'");

    /// <summary>The value under <paramref name="key"/>, or null when the key is absent.</summary>
    public YNode? Optional(string key)
    {
        var map = AsMapping();
        _read.Add(key);
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return new YNode(v, File, Child(key));
            }
        }
        return null;
    }

    /// <summary>True when the mapping has <paramref name="key"/> (without marking it read).</summary>
    public bool Has(string key) =>
        AsMapping().Children.Keys.Any(k => k is YamlScalarNode s && s.Value == key);

    /// <summary>Fails on the first key of this mapping that no reader asked for.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (k, _) in AsMapping().Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!_read.Contains(name))
            {
                var expected = string.Join(", ", _read.Order(StringComparer.Ordinal));
                throw new RuleFileException(new RuleFileError(File, (int)k.Start.Line, Child(name),
                    $"ukendt nøgle '{name}' (tilladt her: {expected})"));
            }
        }
    }

    /// <summary>The items of a sequence.</summary>
    public IReadOnlyList<YNode> Items()
    {
        if (_node is not YamlSequenceNode seq)
        {
            throw Error("skal være en liste");
        }
        return seq.Children.Select((n, i) => new YNode(n, File, $"{Path}[{i}]")).ToList();
    }

    /// <summary>The entries of a mapping, each value a node.</summary>
    public IReadOnlyList<(string Key, YNode Value)> Entries()
    {
        var map = AsMapping();
        var list = new List<(string, YNode)>();
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? throw Error("en nøgle skal være tekst");
            _read.Add(name);
            list.Add((name, new YNode(v, File, Child(name))));
        }
        return list;
    }

    /// <summary>The scalar text; an error for a mapping, sequence or null.</summary>
    public string String()
    {
        if (_node is not YamlScalarNode s || IsNull)
        {
            throw Error("skal være en tekst");
        }
        return s.Value ?? "";
    }

    /// <summary>A yes/no value (<c>true</c>/<c>false</c>).</summary>
    public bool Bool() => Scalar("sand/falsk (true/false)") switch
    {
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        var v => throw Error($"'{v}' er ikke true eller false"),
    };

    /// <summary>A decimal number written with a point (YAML), e.g. <c>7.5</c>.</summary>
    public decimal Decimal()
    {
        var v = Scalar("et tal");
        if (!decimal.TryParse(v, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
        {
            throw Error($"'{v}' er ikke et tal");
        }
        return d;
    }

    /// <summary>A whole number.</summary>
    public int Int()
    {
        var v = Scalar("et heltal");
        if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            throw Error($"'{v}' er ikke et heltal");
        }
        return i;
    }

    /// <summary>An ISO date <c>YYYY-MM-DD</c>.</summary>
    public LocalDate Date()
    {
        var v = Scalar("en dato (ÅÅÅÅ-MM-DD)");
        var r = LocalDatePattern.Iso.Parse(v);
        if (!r.Success)
        {
            throw Error($"'{v}' er ikke en gyldig dato (ÅÅÅÅ-MM-DD)");
        }
        return r.Value;
    }

    /// <summary>Hours as a decimal figure that must be a whole number of minutes.</summary>
    public Minutes Hours()
    {
        var d = Decimal();
        var minutes = d * 60m;
        if (minutes != decimal.Truncate(minutes) || Math.Abs(minutes) > int.MaxValue)
        {
            throw Error($"{d.ToString(CultureInfo.InvariantCulture)} timer er ikke et helt antal minutter");
        }
        return new Minutes((int)minutes);
    }

    private string Scalar(string what)
    {
        if (_node is not YamlScalarNode s || IsNull)
        {
            throw Error($"skal være {what}");
        }
        return s.Value ?? "";
    }

    private YamlMappingNode AsMapping() =>
        _node as YamlMappingNode ?? throw Error("skal være en mapping (nøgle: værdi)");

    private string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";
}
