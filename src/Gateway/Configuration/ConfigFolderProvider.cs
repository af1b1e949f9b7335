using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Gateway.Configuration;

/// <summary>
/// Reads the files of a <see cref="ConfigFolderSource"/>. A file that does not parse, or an id defined in two files,
/// is reported through <see cref="LoadErrors"/>; on a reload such errors keep the previous data in place so the last
/// good configuration stays in force.
/// </summary>
internal sealed class ConfigFolderProvider : ConfigurationProvider, IDisposable
{
    private static readonly TimeSpan ReloadDelay = TimeSpan.FromMilliseconds(250);

    // Collections keyed by id (Routes, Clusters, Listeners...): an id may be defined in one file only.
    private static readonly string[] NamedCollections = typeof(GatewayOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        .Select(p => p.Name)
        .ToArray();

    private readonly ConfigFolderSource _source;
    private readonly PhysicalFileProvider? _watcher;
    private readonly IDisposable? _mainWatch;
    private readonly IDisposable? _includeWatch;
    private int _reloadScheduled;

    public ConfigFolderProvider(ConfigFolderSource source)
    {
        _source = source;
        var directory = Path.GetDirectoryName(source.MainFile)!;
        if (source.ReloadOnChange && Directory.Exists(directory))
        {
            _watcher = new PhysicalFileProvider(directory);
            var mainName = Path.GetFileName(source.MainFile);
            _mainWatch = ChangeToken.OnChange(() => _watcher.Watch(mainName), ScheduleReload);
            _includeWatch = ChangeToken.OnChange(() => _watcher.Watch("conf.d/*.json"), ScheduleReload);
        }
    }

    public IReadOnlyList<ConfigError> LoadErrors { get; private set; } = [];

    public IReadOnlyList<string> Files { get; private set; } = [];

    public override void Load()
    {
        var errors = new ConfigErrors();
        var files = new List<string>();
        if (File.Exists(_source.MainFile))
        {
            files.Add(_source.MainFile);
        }
        else if (_source.MainFileRequired)
        {
            errors.Add(Relative(_source.MainFile), "the config file does not exist.");
        }

        if (Directory.Exists(_source.IncludeDirectory))
        {
            files.AddRange(Directory.GetFiles(_source.IncludeDirectory, "*.json").Order(StringComparer.Ordinal));
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            var values = ReadFile(file, errors);
            if (values is null)
            {
                continue;
            }

            foreach (var id in values.Keys.Select(NamedEntry).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (owners.TryGetValue(id, out var owner))
                {
                    errors.Add(id, $"is defined in both {Relative(owner)} and {Relative(file)}; ids must be unique, so rename or remove one.");
                }
                else
                {
                    owners[id] = file;
                }
            }

            foreach (var (key, value) in values)
            {
                data[key] = value;
            }
        }

        LoadErrors = errors.All;
        Files = files;
        // A broken reload keeps the data of the last load; the first load starts empty and reports.
        if (!errors.Any || Data.Count == 0)
        {
            Data = data;
        }
    }

    public void Dispose()
    {
        _mainWatch?.Dispose();
        _includeWatch?.Dispose();
        _watcher?.Dispose();
    }

    private static Dictionary<string, string?>? ReadFile(string file, ConfigErrors errors)
    {
        try
        {
            using var stream = new MemoryStream(File.ReadAllBytes(file));
            var root = new ConfigurationBuilder().AddJsonStream(stream).Build();
            return root.AsEnumerable()
                .Where(pair => pair.Value is not null)
                .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidDataException)
        {
            var detail = e.InnerException is JsonException inner ? inner.Message : e.Message;
            errors.Add(Relative(file), $"cannot be read as JSON: {detail}");
        }
        catch (IOException e)
        {
            errors.Add(Relative(file), $"cannot be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            errors.Add(Relative(file), $"cannot be read: {e.Message}");
        }

        return null;
    }

    // "Gateway:Routes:app:Hosts:0" -> "Gateway:Routes:app"; null for keys outside named collections.
    private static string? NamedEntry(string key)
    {
        var parts = key.Split(':', 4);
        if (parts.Length >= 3 && parts[0].Equals(GatewayOptions.SectionName, StringComparison.OrdinalIgnoreCase) &&
            NamedCollections.Contains(parts[1], StringComparer.OrdinalIgnoreCase))
        {
            return string.Join(':', parts[0], parts[1], parts[2]);
        }

        return null;
    }

    private static string Relative(string path) => Path.GetRelativePath(Environment.CurrentDirectory, path);

    private void ScheduleReload()
    {
        // Editors save in several steps; coalesce the burst into one reload.
        if (Interlocked.Exchange(ref _reloadScheduled, 1) == 1)
        {
            return;
        }

        _ = Task.Delay(ReloadDelay).ContinueWith(
            _ =>
            {
                Volatile.Write(ref _reloadScheduled, 0);
                Load();
                OnReload();
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }
}
