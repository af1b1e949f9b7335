using System.Diagnostics;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// The repository's Dockerfile carried out without a Docker engine, as far as files go: each stage gets a directory
/// standing for its root filesystem; COPY copies from the build context (minus <c>.dockerignore</c>) or from an earlier
/// stage; WORKDIR moves; RUN runs in the build stage (only <c>dotnet</c> commands, absolute paths mapped into the stage's
/// root). The final stage's root then holds what the image would: the published app and its configuration.
/// </summary>
public sealed class SimulatedImage : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "gateway-image-" + Guid.NewGuid().ToString("N")[..12]);

    public IReadOnlyList<DockerStage> Stages { get; private set; } = [];

    public DockerStage Final => Stages[^1];

    /// <summary>The final stage's root filesystem.</summary>
    public string Root => StageRoot(Stages.Count - 1);

    /// <summary>The final stage's WORKDIR, mapped into <see cref="Root"/>.</summary>
    public string WorkingDirectory { get; private set; } = string.Empty;

    public string BuildLog { get; private set; } = string.Empty;

    public string Map(string stageRoot, string path) => Path.Combine(stageRoot, path.TrimStart('/'));

    public async Task InitializeAsync()
    {
        Stages = Dockerfile.Parse(Path.Combine(RepositoryPaths.Root, "Dockerfile"));
        var ignored = Dockerfile.Ignore(Path.Combine(RepositoryPaths.Root, ".dockerignore"));
        var log = new System.Text.StringBuilder();
        for (var index = 0; index < Stages.Count; index++)
        {
            var root = StageRoot(index);
            System.IO.Directory.CreateDirectory(root);
            var workdir = "/";
            var final = index == Stages.Count - 1;
            foreach (var instruction in Stages[index].Instructions)
            {
                switch (instruction.Keyword)
                {
                    case "WORKDIR":
                        workdir = instruction.Arguments[0].StartsWith('/') ? instruction.Arguments[0] : Path.Combine(workdir, instruction.Arguments[0]);
                        System.IO.Directory.CreateDirectory(Map(root, workdir));
                        break;
                    case "COPY":
                        Copy(instruction, root, workdir, ignored);
                        break;
                    case "RUN" when !final:
                        log.AppendLine(await RunAsync(instruction, root, workdir));
                        break;
                }
            }

            if (final)
            {
                WorkingDirectory = Map(root, workdir);
            }
        }

        BuildLog = log.ToString();
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    private string StageRoot(int index) => Path.Combine(Directory, "stage" + index);

    private void Copy(DockerInstruction copy, string root, string workdir, Func<string, bool> ignored)
    {
        var destination = copy.Arguments[^1];
        var target = Map(root, destination.StartsWith('/') ? destination : Path.Combine(workdir, destination));
        string sourceRoot;
        Func<string, bool> skip;
        if (copy.Flags.TryGetValue("from", out var from))
        {
            var stage = Stages.ToList().FindIndex(s => s.Name == from);
            Assert.True(stage >= 0, $"COPY --from={from}: no such stage");
            sourceRoot = StageRoot(stage);
            skip = _ => false;
        }
        else
        {
            sourceRoot = RepositoryPaths.Root;
            skip = ignored;
        }

        foreach (var source in copy.Arguments.Take(copy.Arguments.Count - 1))
        {
            var path = Path.Combine(sourceRoot, source.TrimStart('/'));
            if (System.IO.Directory.Exists(path))
            {
                foreach (var file in System.IO.Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
                {
                    var relative = Path.GetRelativePath(path, file).Replace('\\', '/');
                    var contextRelative = Path.GetRelativePath(sourceRoot, file).Replace('\\', '/');
                    if (!skip(contextRelative))
                    {
                        var to = Path.Combine(target, relative);
                        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                        File.Copy(file, to, overwrite: true);
                    }
                }
            }
            else
            {
                Assert.True(File.Exists(path), $"COPY {source}: not in the build context");
                var to = destination.EndsWith('/') || destination is "." or "./" ? Path.Combine(target, Path.GetFileName(path)) : target;
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(path, to, overwrite: true);
            }
        }
    }

    private async Task<string> RunAsync(DockerInstruction run, string root, string workdir)
    {
        var words = run.Arguments.ToList();
        Assert.True(words[0] == "dotnet", $"RUN {run.Raw}: this test only carries out dotnet commands in build stages.");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Map(root, workdir),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var word in words.Skip(1))
        {
            start.ArgumentList.Add(word.StartsWith('/') ? Map(root, word) : word);
        }

        // The test runner's MSBuild variables would point the nested build at the outer one.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = $"RUN {run.Raw}\n{await output}{await errors}";
        Assert.True(process.ExitCode == 0, text);
        return text;
    }
}
