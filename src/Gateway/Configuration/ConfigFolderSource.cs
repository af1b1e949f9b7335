
namespace Gateway.Configuration;

/// <summary>
/// The main config file plus every <c>conf.d/*.json</c> beside it, merged in ordinal name order like HAProxy's config
/// folder. Added to the host's configuration below environment variables, so <c>Gateway__...</c> overrides files.
/// </summary>
internal sealed class ConfigFolderSource(string mainFile, bool mainFileRequired, bool reloadOnChange) : IConfigurationSource
{
    public string MainFile { get; } = Path.GetFullPath(mainFile);

    public bool MainFileRequired { get; } = mainFileRequired;

    public bool ReloadOnChange { get; } = reloadOnChange;

    public string IncludeDirectory => Path.Combine(Path.GetDirectoryName(MainFile)!, "conf.d");

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ConfigFolderProvider(this);
}
