using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.RuntimeApi;
using Gateway.RuntimeApi.Commands;
using Gateway.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks;

/// <summary>
/// The runtime API's per-command work before a command runs, as the session does it: cut the line out of the socket
/// buffer (<see cref="CliLineReader"/>), decode and split it into words (<see cref="CliArgs"/>), find the command in the
/// table (the real <c>help</c>/<c>prompt</c>/... and acl families, in the order the host registers them), and parse the
/// address argument (<see cref="IpPattern"/>).
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class RuntimeApiParsingBenchmarks
{
    private CommandTable _table = null!;
    private ReadOnlySequence<byte> _input;

    [Params("add acl #500 203.0.113.7", "del acl #500 2001:db8::/48", "show acl #500")]
    public string Line { get; set; } = "add acl #500 203.0.113.7";

    [GlobalSetup]
    public void Setup()
    {
        var state = new AccessState();
        state.Configure(AccessConfig.Empty with { Lists = [new ListDefinition("knoc", 500, 501, [], null)] });
        var writer = new AccessWriter(state, new MemoryAccessStore(state), TimeProvider.System, NullLogger<AccessWriter>.Instance);
        _table = new CommandTable([new CliCommands(), new AclCommands(state, writer, TimeProvider.System)]);
        _input = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(Line + "\n"));
    }

    [Benchmark]
    public bool Parse()
    {
        var buffer = _input;
        if (!CliLineReader.TryRead(ref buffer, payload: false, out var line))
        {
            return false;
        }

        var args = CliArgs.Parse(CliArgs.Decode(line.IsSingleSegment ? line.FirstSpan : line.ToArray()));
        var command = _table.Find(args);
        return command is not null && (args.Count < 4 || IpPattern.TryParse(args[3], out _));
    }
}
