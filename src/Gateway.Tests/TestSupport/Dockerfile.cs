using System.Text.Json;

namespace Gateway.Tests.TestSupport;

/// <summary>One instruction of a Dockerfile: the keyword, its flags (<c>--from=build</c>) and its arguments.</summary>
public sealed record DockerInstruction(string Keyword, IReadOnlyDictionary<string, string> Flags, IReadOnlyList<string> Arguments, string Raw);

/// <summary>A build stage: its base image, its name, and its instructions in order.</summary>
public sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    public DockerInstruction? Last(string keyword) => Instructions.LastOrDefault(i => i.Keyword == keyword);

    /// <summary>ENV as the stage ends (both <c>ENV a=b c=d</c> and the old <c>ENV a b</c> forms).</summary>
    public Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var env in All("ENV"))
        {
            if (env.Arguments.Count == 2 && !env.Arguments[0].Contains('=', StringComparison.Ordinal))
            {
                environment[env.Arguments[0]] = env.Arguments[1];
                continue;
            }

            foreach (var pair in env.Arguments)
            {
                var at = pair.IndexOf('=', StringComparison.Ordinal);
                environment[pair[..at]] = pair[(at + 1)..].Trim('"');
            }
        }

        return environment;
    }
}

/// <summary>
/// Reads a Dockerfile as <c>docker build</c> does, for what a test can check without a Docker engine: line
/// continuations, comments, exec-form (JSON) and shell-form arguments, flags, and stages.
/// </summary>
public static class Dockerfile
{
    public static IReadOnlyList<DockerStage> Parse(string path)
    {
        var stages = new List<(string Image, string? Name, List<DockerInstruction> Instructions)>();
        foreach (var line in LogicalLines(File.ReadAllLines(path)))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = line[..space].ToUpperInvariant();
            var rest = line[(space + 1)..].Trim();
            var flags = new Dictionary<string, string>(StringComparer.Ordinal);
            while (rest.StartsWith("--", StringComparison.Ordinal))
            {
                var end = rest.IndexOf(' ', StringComparison.Ordinal);
                var flag = rest[2..end];
                var equals = flag.IndexOf('=', StringComparison.Ordinal);
                flags[equals < 0 ? flag : flag[..equals]] = equals < 0 ? "true" : flag[(equals + 1)..];
                rest = rest[(end + 1)..].TrimStart();
            }

            IReadOnlyList<string> arguments = rest switch
            {
                _ when rest.StartsWith('[') => JsonSerializer.Deserialize<string[]>(rest)!,
                _ when keyword == "HEALTHCHECK" && rest.StartsWith("CMD [", StringComparison.Ordinal) => ["CMD", .. JsonSerializer.Deserialize<string[]>(rest[4..])!],
                _ => rest.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            };
            if (keyword == "FROM")
            {
                var name = arguments.Count == 3 && arguments[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? arguments[2] : null;
                stages.Add((arguments[0], name, []));
                continue;
            }

            if (stages.Count == 0)
            {
                throw new FormatException($"{path}: {keyword} before FROM.");
            }

            stages[^1].Instructions.Add(new DockerInstruction(keyword, flags, arguments, rest));
        }

        return stages.Select(s => new DockerStage(s.Image, s.Name, s.Instructions)).ToList();
    }

    /// <summary>The paths a <c>.dockerignore</c> of <c>**/name/</c> and <c>name/</c> lines keeps out of the context.</summary>
    public static Func<string, bool> Ignore(string dockerignore)
    {
        var anywhere = new List<string>();
        var atRoot = new List<string>();
        foreach (var raw in File.ReadAllLines(dockerignore))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var name = line.TrimEnd('/');
            if (name.StartsWith("**/", StringComparison.Ordinal) && !name[3..].Contains('/', StringComparison.Ordinal) && !name[3..].Contains('*', StringComparison.Ordinal))
            {
                anywhere.Add(name[3..]);
            }
            else if (!name.Contains('/', StringComparison.Ordinal) && !name.Contains('*', StringComparison.Ordinal) && !name.StartsWith('!'))
            {
                atRoot.Add(name);
            }
            else
            {
                throw new FormatException($".dockerignore: '{line}' is beyond what this test reads (**/name/ or name/).");
            }
        }

        return relative =>
        {
            var parts = relative.Split('/');
            return atRoot.Contains(parts[0]) || parts.Any(anywhere.Contains);
        };
    }

    private static IEnumerable<string> LogicalLines(string[] lines)
    {
        var current = string.Empty;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (current.Length > 0)
            {
                yield return current;
            }

            current = string.Empty;
        }
    }
}
