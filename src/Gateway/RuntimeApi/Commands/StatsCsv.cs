using System.Collections.Frozen;
using System.Text;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// HAProxy 2.6's <c>show stat</c> CSV: the same header and, per kind of row, the same columns filled (counters Gateway
/// does not keep read 0), so that tools which parse HAProxy's CSV by position or by name keep working.
/// </summary>
internal static class StatsCsv
{
    public const string Header =
        "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg," +
        "downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx," +
        "hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk," +
        "last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise," +
        "agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups," +
        "cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight," +
        "agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd," +
        "h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp," +
        "h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams," +
        "h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,\n";

    private const string H2H1 =
        "ssl_sess ssl_reused_sess ssl_failed_handshake h2_headers_rcvd h2_data_rcvd h2_settings_rcvd h2_rst_stream_rcvd h2_goaway_rcvd " +
        "h2_detected_conn_protocol_errors h2_detected_strm_protocol_errors h2_rst_stream_resp h2_goaway_resp h2_open_connections h2_backend_open_streams " +
        "h2_total_connections h2_backend_total_streams h1_open_connections h1_open_streams h1_total_connections h1_total_streams h1_bytes_in h1_bytes_out " +
        "h1_spliced_bytes_in h1_spliced_bytes_out";

    /// <summary>The columns HAProxy fills for a frontend; all but the named ones read 0.</summary>
    public static readonly string[] FrontendColumns = Split(
        "pxname svname scur smax slim stot bin bout dreq dresp ereq status pid iid sid type rate rate_lim rate_max hrsp_1xx hrsp_2xx hrsp_3xx hrsp_4xx " +
        "hrsp_5xx hrsp_other req_rate req_rate_max req_tot comp_in comp_out comp_byp comp_rsp mode conn_rate conn_rate_max conn_tot intercepted dcon dses " +
        "wrew cache_lookups cache_hits eint - " + H2H1);

    public static readonly string[] ServerColumns = Split(
        "pxname svname qcur qmax scur smax stot bin bout dresp econ eresp wretr wredis status weight act bck lastchg pid iid sid lbtot type rate rate_max " +
        "hrsp_1xx hrsp_2xx hrsp_3xx hrsp_4xx hrsp_5xx hrsp_other req_tot cli_abrt srv_abrt lastsess qtime ctime rtime ttime addr mode wrew connect reuse " +
        "srv_icur qtime_max ctime_max rtime_max ttime_max eint idle_conn_cur safe_conn_cur used_conn_cur need_conn_est uweight - ssl_sess ssl_reused_sess " +
        "ssl_failed_handshake");

    /// <summary>Added to a server's columns when it is health-checked.</summary>
    public static readonly string[] CheckColumns = Split("chkfail chkdown check_status check_desc check_rise check_fall check_health");

    public static readonly string[] BackendColumns = Split(
        "pxname svname qcur qmax scur smax slim stot bin bout dreq dresp econ eresp wretr wredis status weight act bck chkdown lastchg downtime pid iid " +
        "sid lbtot type rate rate_max hrsp_1xx hrsp_2xx hrsp_3xx hrsp_4xx hrsp_5xx hrsp_other req_tot cli_abrt srv_abrt comp_in comp_out comp_byp comp_rsp " +
        "lastsess qtime ctime rtime ttime mode algo wrew connect reuse cache_lookups cache_hits qtime_max ctime_max rtime_max ttime_max eint uweight " +
        "agg_server_status agg_server_check_status agg_check_status - " + H2H1);

    private static readonly string[] Names = Header[2..^2].Split(',');

    private static readonly FrozenDictionary<string, int> Index = Names.Select((name, i) => (name, i)).ToFrozenDictionary(p => p.name, p => p.i);

    /// <summary>One CSV row: the given columns filled (with <paramref name="values"/> or 0), the others empty.</summary>
    public static void AppendRow(StringBuilder text, IEnumerable<string> columns, IReadOnlyDictionary<string, string> values)
    {
        var cells = new string[Names.Length];
        foreach (var column in columns)
        {
            cells[Index[column]] = values.TryGetValue(column, out var value) ? value : "0";
        }

        foreach (var cell in cells)
        {
            text.Append(Quote(cell)).Append(',');
        }

        text.Append('\n');
    }

    /// <summary>HAProxy quotes a cell only when it holds a comma or a quote.</summary>
    private static string Quote(string? cell) =>
        cell is null ? string.Empty : cell.AsSpan().IndexOfAny(',', '"') < 0 ? cell : "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string[] Split(string columns) => columns.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
