namespace Gateway.RuntimeApi;

/// <summary>
/// Every text the runtime API sends, byte for byte as HAProxy 2.6 prints it (recorded in
/// <c>Gateway.Tests/RuntimeApi/Transcripts</c>), plus the few lines that are Gateway's own (marked so). Each reply ends
/// with its own newline; the session adds the empty line (or the <c>&gt; </c> prompt) that ends a reply.
/// </summary>
internal static class Replies
{
    // The end of every reply: an empty line, or the prompt in interactive mode; "+ " while a payload is being typed.
    public const string EndOfReply = "\n";
    public const string Prompt = "\n> ";
    public const string PayloadPrompt = "+ ";

    // Levels.
    public const string PermissionDenied = "Permission denied\n";

    // Usage, help and unknown commands.
    public const string HelpHeader = "The following commands are valid at this level:\n";
    public const string UnknownCommand = "Unknown command. Please enter one of the following commands only:\n";
    public const string UnknownCommandSuggestions = "Unknown command, but maybe one of the following ones is a better match:\n";
    public const string UsageFooter =
        "  help [<command>]                        : list matching or all commands\n" +
        "  prompt                                  : toggle interactive mode with prompt\n" +
        "  quit                                    : disconnect\n";

    // Lists (acl) and maps: identifiers and arguments.
    public const string UnknownAcl = "Unknown ACL identifier. Please use #<id> or <file>.\n";
    public const string UnknownMap = "Unknown map identifier. Please use #<id> or <file>.\n";
    public const string MissingAcl = "Missing ACL identifier.\n";
    public const string MissingMap = "Missing map identifier.\n";
    public const string MissingAclOrKey = "Missing ACL identifier and/or key.\n";
    public const string MissingMapOrKey = "Missing map identifier and/or key.\n";
    public const string AddAclUsage = "'add acl' expects two parameters: ACL identifier and pattern.\n";
    public const string AddMapUsage = "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n";
    public const string SetMapUsage = "'set map' expects three parameters: map identifier, key and value.\n";
    public const string DelAclUsage = "This command expects two parameters: ACL identifier and key.\n";
    public const string DelMapUsage = "This command expects two parameters: map identifier and key.\n";
    public const string KeyNotFound = "Key not found.\n";
    public const string EntryNotFound = "entry not found.\n";
    public const string MalformedReference = "Malformed identifier. Please use #<id> or <file>.\n";
    public const string AclSharedWithMap = "This ACL is shared with a map containing samples. You must use the command 'add map' to add values.\n";
    public const string FailedToAdd = "Failed to add an entry.\n";
    public const string FailedToUpdate = "Failed to update an entry.\n";

    // Versions (prepare / add @ver / commit).
    public const string MissingVersion = "Missing version number.\n";
    public const string VersionOutOfRange = "Version number out of range.\n";
    public const string AclVersionInFuture = "Version number in the future, please use 'prepare acl' before.\n";
    public const string MapVersionInFuture = "Version number in the future, please use 'prepare map' before.\n";

    public static string NewVersion(uint version) => $"New version created: {version}\n";

    public static string InvalidAddress(string text) => $"'{text}' is not a valid IPv4 or IPv6 address.\n";

    public static string MissingValueForKey(string key) => $"Missing value for key '{key}'.\n";

    // Listing of lists and maps, and their entries.
    public const string PatternListHeader = "# id (file) description\n";

    /// <summary>Gateway's own description of a list, in the shape of HAProxy's (<c>acl 'src' file '...' line N</c>).</summary>
    public static string ListDescription(int id, string name, uint current, uint next, long count) =>
        $"{id} ({name}) acl 'src' file 'Gateway:Access:Lists:{name}' line 0. curr_ver={current} next_ver={next} entry_cnt={count}\n";

    /// <summary>Gateway's own description of a token map, in the shape of HAProxy's.</summary>
    public static string MapDescription(int id, string name, uint current, uint next, long count) =>
        $"{id} ({name}) pattern loaded from file '{name}' used by map at file 'Gateway:Access:Lists:{name}:TokenMapId' line 0. curr_ver={current} next_ver={next} entry_cnt={count}\n";

    // get acl / get map.
    public const string IpNoMatch = "type=ip, case=sensitive, match=no\n";
    public const string IpNotFound = "type=ip, case=sensitive, found=no\n";
    public const string StrNoMatch = "type=str, case=sensitive, match=no\n";
    public const string StrNotFound = "type=str, case=sensitive, found=no\n";

    public static string IpMatch(string pattern) => $"type=ip, case=sensitive, match=yes, idx=tree, pattern=\"{pattern}\"\n";

    public static string IpFound(string pattern) => $"type=ip, case=sensitive, found=yes, idx=tree, key=\"{pattern}\", value=none\n";

    public static string StrMatch(string key) => $"type=str, case=sensitive, match=yes, idx=tree, pattern=\"{key}\"\n";

    public static string StrFound(string key, string value) => $"type=str, case=sensitive, found=yes, idx=tree, key=\"{key}\", value=\"{value}\", type=\"str\"\n";

    // Servers.
    public const string RequireBackendServer = "Require 'backend/server'.\n";
    public const string NoSuchBackend = "No such backend.\n";
    public const string NoSuchServer = "No such server.\n";
    public const string CannotFindBackend = "Can't find backend.\n";
    public const string SetServerUsage = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n";
    public const string SetServerStateUsage = "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n";
    public const string BackendHeader = "# name\n";
    public const string ServersStateHeader =
        "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change " +
        "srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn " +
        "srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n";

    // Session level.
    public static string Level(CliLevel level) => level switch
    {
        CliLevel.User => "user\n",
        CliLevel.Operator => "operator\n",
        _ => "admin\n",
    };
}
