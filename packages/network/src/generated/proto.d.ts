import * as $protobuf from "protobufjs";
import Long = require("long");

export namespace eddy {

    namespace v1 {

        class BlobService extends $protobuf.rpc.Service {
            constructor(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean);
            static create(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean): BlobService;
            fetchBlob: eddy.v1.BlobService.FetchBlob;
        }

        namespace BlobService {
            type FetchBlobCallback = (error: (Error|null), response?: eddy.v1.BlobChunk) => void;
            type FetchBlob = {
              (request: eddy.v1.IFetchBlobRequest, callback: eddy.v1.BlobService.FetchBlobCallback): void;
              (request: eddy.v1.IFetchBlobRequest): Promise<eddy.v1.BlobChunk>;
              readonly name: "FetchBlob";
              readonly path: "/eddy.v1.BlobService/FetchBlob";
              readonly requestType: "FetchBlobRequest";
              readonly responseType: "BlobChunk";
              readonly requestStream: undefined;
              readonly responseStream: true;
            };
        }

        interface IFetchBlobRequest extends eddy.v1.FetchBlobRequest.$Properties {
        }

        class FetchBlobRequest {
            constructor(properties?: eddy.v1.FetchBlobRequest.$Properties);
            $unknowns?: Uint8Array[];
            key: string;
            static create(properties: eddy.v1.FetchBlobRequest.$Shape): eddy.v1.FetchBlobRequest & eddy.v1.FetchBlobRequest.$Shape;
            static create(properties?: eddy.v1.FetchBlobRequest.$Properties): eddy.v1.FetchBlobRequest;
            static encode(message: eddy.v1.FetchBlobRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.FetchBlobRequest & eddy.v1.FetchBlobRequest.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace FetchBlobRequest {
            interface $Properties {
                key?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.FetchBlobRequest.$Properties;
        }

        interface IBlobChunk extends eddy.v1.BlobChunk.$Properties {
        }

        class BlobChunk {
            constructor(properties?: eddy.v1.BlobChunk.$Properties);
            $unknowns?: Uint8Array[];
            data: Uint8Array;
            size: number;
            static create(properties: eddy.v1.BlobChunk.$Shape): eddy.v1.BlobChunk & eddy.v1.BlobChunk.$Shape;
            static create(properties?: eddy.v1.BlobChunk.$Properties): eddy.v1.BlobChunk;
            static encode(message: eddy.v1.BlobChunk.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.BlobChunk & eddy.v1.BlobChunk.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace BlobChunk {
            interface $Properties {
                data?: (Uint8Array|null);
                size?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.BlobChunk.$Properties;
        }

        class JobManagerGateway extends $protobuf.rpc.Service {
            constructor(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean);
            static create(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean): JobManagerGateway;
            registerTaskManager: eddy.v1.JobManagerGateway.RegisterTaskManager;
            heartbeat: eddy.v1.JobManagerGateway.Heartbeat;
            updateTaskExecutionState: eddy.v1.JobManagerGateway.UpdateTaskExecutionState;
            reportCollected: eddy.v1.JobManagerGateway.ReportCollected;
            acknowledgeCheckpoint: eddy.v1.JobManagerGateway.AcknowledgeCheckpoint;
            declineCheckpoint: eddy.v1.JobManagerGateway.DeclineCheckpoint;
        }

        namespace JobManagerGateway {
            type RegisterTaskManagerCallback = (error: (Error|null), response?: eddy.v1.RegisterTaskManagerResponse) => void;
            type RegisterTaskManager = {
              (request: eddy.v1.IRegisterTaskManagerRequest, callback: eddy.v1.JobManagerGateway.RegisterTaskManagerCallback): void;
              (request: eddy.v1.IRegisterTaskManagerRequest): Promise<eddy.v1.RegisterTaskManagerResponse>;
              readonly name: "RegisterTaskManager";
              readonly path: "/eddy.v1.JobManagerGateway/RegisterTaskManager";
              readonly requestType: "RegisterTaskManagerRequest";
              readonly responseType: "RegisterTaskManagerResponse";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type HeartbeatCallback = (error: (Error|null), response?: eddy.v1.HeartbeatResponse) => void;
            type Heartbeat = {
              (request: eddy.v1.IHeartbeatRequest, callback: eddy.v1.JobManagerGateway.HeartbeatCallback): void;
              (request: eddy.v1.IHeartbeatRequest): Promise<eddy.v1.HeartbeatResponse>;
              readonly name: "Heartbeat";
              readonly path: "/eddy.v1.JobManagerGateway/Heartbeat";
              readonly requestType: "HeartbeatRequest";
              readonly responseType: "HeartbeatResponse";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type UpdateTaskExecutionStateCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type UpdateTaskExecutionState = {
              (request: eddy.v1.ITaskExecutionStateUpdate, callback: eddy.v1.JobManagerGateway.UpdateTaskExecutionStateCallback): void;
              (request: eddy.v1.ITaskExecutionStateUpdate): Promise<eddy.v1.Ack>;
              readonly name: "UpdateTaskExecutionState";
              readonly path: "/eddy.v1.JobManagerGateway/UpdateTaskExecutionState";
              readonly requestType: "TaskExecutionStateUpdate";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type ReportCollectedCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type ReportCollected = {
              (request: eddy.v1.ICollectedRecords, callback: eddy.v1.JobManagerGateway.ReportCollectedCallback): void;
              (request: eddy.v1.ICollectedRecords): Promise<eddy.v1.Ack>;
              readonly name: "ReportCollected";
              readonly path: "/eddy.v1.JobManagerGateway/ReportCollected";
              readonly requestType: "CollectedRecords";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type AcknowledgeCheckpointCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type AcknowledgeCheckpoint = {
              (request: eddy.v1.ICheckpointAck, callback: eddy.v1.JobManagerGateway.AcknowledgeCheckpointCallback): void;
              (request: eddy.v1.ICheckpointAck): Promise<eddy.v1.Ack>;
              readonly name: "AcknowledgeCheckpoint";
              readonly path: "/eddy.v1.JobManagerGateway/AcknowledgeCheckpoint";
              readonly requestType: "CheckpointAck";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type DeclineCheckpointCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type DeclineCheckpoint = {
              (request: eddy.v1.ICheckpointDecline, callback: eddy.v1.JobManagerGateway.DeclineCheckpointCallback): void;
              (request: eddy.v1.ICheckpointDecline): Promise<eddy.v1.Ack>;
              readonly name: "DeclineCheckpoint";
              readonly path: "/eddy.v1.JobManagerGateway/DeclineCheckpoint";
              readonly requestType: "CheckpointDecline";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
        }

        class TaskExecutorGateway extends $protobuf.rpc.Service {
            constructor(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean);
            static create(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean): TaskExecutorGateway;
            submitTask: eddy.v1.TaskExecutorGateway.SubmitTask;
            cancelTask: eddy.v1.TaskExecutorGateway.CancelTask;
            triggerCheckpoint: eddy.v1.TaskExecutorGateway.TriggerCheckpoint;
            notifyCheckpointComplete: eddy.v1.TaskExecutorGateway.NotifyCheckpointComplete;
            notifyCheckpointAborted: eddy.v1.TaskExecutorGateway.NotifyCheckpointAborted;
        }

        namespace TaskExecutorGateway {
            type SubmitTaskCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type SubmitTask = {
              (request: eddy.v1.ITaskDeployment, callback: eddy.v1.TaskExecutorGateway.SubmitTaskCallback): void;
              (request: eddy.v1.ITaskDeployment): Promise<eddy.v1.Ack>;
              readonly name: "SubmitTask";
              readonly path: "/eddy.v1.TaskExecutorGateway/SubmitTask";
              readonly requestType: "TaskDeployment";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type CancelTaskCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type CancelTask = {
              (request: eddy.v1.ICancelTaskRequest, callback: eddy.v1.TaskExecutorGateway.CancelTaskCallback): void;
              (request: eddy.v1.ICancelTaskRequest): Promise<eddy.v1.Ack>;
              readonly name: "CancelTask";
              readonly path: "/eddy.v1.TaskExecutorGateway/CancelTask";
              readonly requestType: "CancelTaskRequest";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type TriggerCheckpointCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type TriggerCheckpoint = {
              (request: eddy.v1.ICheckpointTrigger, callback: eddy.v1.TaskExecutorGateway.TriggerCheckpointCallback): void;
              (request: eddy.v1.ICheckpointTrigger): Promise<eddy.v1.Ack>;
              readonly name: "TriggerCheckpoint";
              readonly path: "/eddy.v1.TaskExecutorGateway/TriggerCheckpoint";
              readonly requestType: "CheckpointTrigger";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type NotifyCheckpointCompleteCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type NotifyCheckpointComplete = {
              (request: eddy.v1.ICheckpointNotification, callback: eddy.v1.TaskExecutorGateway.NotifyCheckpointCompleteCallback): void;
              (request: eddy.v1.ICheckpointNotification): Promise<eddy.v1.Ack>;
              readonly name: "NotifyCheckpointComplete";
              readonly path: "/eddy.v1.TaskExecutorGateway/NotifyCheckpointComplete";
              readonly requestType: "CheckpointNotification";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
            type NotifyCheckpointAbortedCallback = (error: (Error|null), response?: eddy.v1.Ack) => void;
            type NotifyCheckpointAborted = {
              (request: eddy.v1.ICheckpointNotification, callback: eddy.v1.TaskExecutorGateway.NotifyCheckpointAbortedCallback): void;
              (request: eddy.v1.ICheckpointNotification): Promise<eddy.v1.Ack>;
              readonly name: "NotifyCheckpointAborted";
              readonly path: "/eddy.v1.TaskExecutorGateway/NotifyCheckpointAborted";
              readonly requestType: "CheckpointNotification";
              readonly responseType: "Ack";
              readonly requestStream: undefined;
              readonly responseStream: undefined;
            };
        }

        interface ICheckpointTrigger extends eddy.v1.CheckpointTrigger.$Properties {
        }

        class CheckpointTrigger {
            constructor(properties?: eddy.v1.CheckpointTrigger.$Properties);
            $unknowns?: Uint8Array[];
            jobId: string;
            attempt: number;
            executionId: string;
            checkpointId: number;
            timestamp: number;
            kind: string;
            leaderEpoch: number;
            target: string;
            drain: boolean;
            static create(properties: eddy.v1.CheckpointTrigger.$Shape): eddy.v1.CheckpointTrigger & eddy.v1.CheckpointTrigger.$Shape;
            static create(properties?: eddy.v1.CheckpointTrigger.$Properties): eddy.v1.CheckpointTrigger;
            static encode(message: eddy.v1.CheckpointTrigger.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.CheckpointTrigger & eddy.v1.CheckpointTrigger.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace CheckpointTrigger {
            interface $Properties {
                jobId?: (string|null);
                attempt?: (number|null);
                executionId?: (string|null);
                checkpointId?: (number|null);
                timestamp?: (number|null);
                kind?: (string|null);
                leaderEpoch?: (number|null);
                target?: (string|null);
                drain?: (boolean|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.CheckpointTrigger.$Properties;
        }

        interface ICheckpointNotification extends eddy.v1.CheckpointNotification.$Properties {
        }

        class CheckpointNotification {
            constructor(properties?: eddy.v1.CheckpointNotification.$Properties);
            $unknowns?: Uint8Array[];
            jobId: string;
            attempt: number;
            executionId: string;
            checkpointId: number;
            leaderEpoch: number;
            static create(properties: eddy.v1.CheckpointNotification.$Shape): eddy.v1.CheckpointNotification & eddy.v1.CheckpointNotification.$Shape;
            static create(properties?: eddy.v1.CheckpointNotification.$Properties): eddy.v1.CheckpointNotification;
            static encode(message: eddy.v1.CheckpointNotification.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.CheckpointNotification & eddy.v1.CheckpointNotification.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace CheckpointNotification {
            interface $Properties {
                jobId?: (string|null);
                attempt?: (number|null);
                executionId?: (string|null);
                checkpointId?: (number|null);
                leaderEpoch?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.CheckpointNotification.$Properties;
        }

        interface ICheckpointAck extends eddy.v1.CheckpointAck.$Properties {
        }

        class CheckpointAck {
            constructor(properties?: eddy.v1.CheckpointAck.$Properties);
            $unknowns?: Uint8Array[];
            taskManagerId: string;
            jobId: string;
            attempt: number;
            executionId: string;
            checkpointId: number;
            stateJson: string;
            syncMs: number;
            asyncMs: number;
            alignmentMs: number;
            stateSize: number;
            leaderEpoch: number;
            static create(properties: eddy.v1.CheckpointAck.$Shape): eddy.v1.CheckpointAck & eddy.v1.CheckpointAck.$Shape;
            static create(properties?: eddy.v1.CheckpointAck.$Properties): eddy.v1.CheckpointAck;
            static encode(message: eddy.v1.CheckpointAck.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.CheckpointAck & eddy.v1.CheckpointAck.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace CheckpointAck {
            interface $Properties {
                taskManagerId?: (string|null);
                jobId?: (string|null);
                attempt?: (number|null);
                executionId?: (string|null);
                checkpointId?: (number|null);
                stateJson?: (string|null);
                syncMs?: (number|null);
                asyncMs?: (number|null);
                alignmentMs?: (number|null);
                stateSize?: (number|null);
                leaderEpoch?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.CheckpointAck.$Properties;
        }

        interface ICheckpointDecline extends eddy.v1.CheckpointDecline.$Properties {
        }

        class CheckpointDecline {
            constructor(properties?: eddy.v1.CheckpointDecline.$Properties);
            $unknowns?: Uint8Array[];
            taskManagerId: string;
            jobId: string;
            attempt: number;
            executionId: string;
            checkpointId: number;
            errorJson: string;
            leaderEpoch: number;
            static create(properties: eddy.v1.CheckpointDecline.$Shape): eddy.v1.CheckpointDecline & eddy.v1.CheckpointDecline.$Shape;
            static create(properties?: eddy.v1.CheckpointDecline.$Properties): eddy.v1.CheckpointDecline;
            static encode(message: eddy.v1.CheckpointDecline.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.CheckpointDecline & eddy.v1.CheckpointDecline.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace CheckpointDecline {
            interface $Properties {
                taskManagerId?: (string|null);
                jobId?: (string|null);
                attempt?: (number|null);
                executionId?: (string|null);
                checkpointId?: (number|null);
                errorJson?: (string|null);
                leaderEpoch?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.CheckpointDecline.$Properties;
        }

        interface IAck extends eddy.v1.Ack.$Properties {
        }

        class Ack {
            constructor(properties?: eddy.v1.Ack.$Properties);
            $unknowns?: Uint8Array[];
            ok: boolean;
            error: string;
            static create(properties: eddy.v1.Ack.$Shape): eddy.v1.Ack & eddy.v1.Ack.$Shape;
            static create(properties?: eddy.v1.Ack.$Properties): eddy.v1.Ack;
            static encode(message: eddy.v1.Ack.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.Ack & eddy.v1.Ack.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace Ack {
            interface $Properties {
                ok?: (boolean|null);
                error?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.Ack.$Properties;
        }

        interface IRegisterTaskManagerRequest extends eddy.v1.RegisterTaskManagerRequest.$Properties {
        }

        class RegisterTaskManagerRequest {
            constructor(properties?: eddy.v1.RegisterTaskManagerRequest.$Properties);
            $unknowns?: Uint8Array[];
            taskManagerId: string;
            address: string;
            numberOfSlots: number;
            metricsAddress: string;
            static create(properties: eddy.v1.RegisterTaskManagerRequest.$Shape): eddy.v1.RegisterTaskManagerRequest & eddy.v1.RegisterTaskManagerRequest.$Shape;
            static create(properties?: eddy.v1.RegisterTaskManagerRequest.$Properties): eddy.v1.RegisterTaskManagerRequest;
            static encode(message: eddy.v1.RegisterTaskManagerRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.RegisterTaskManagerRequest & eddy.v1.RegisterTaskManagerRequest.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace RegisterTaskManagerRequest {
            interface $Properties {
                taskManagerId?: (string|null);
                address?: (string|null);
                numberOfSlots?: (number|null);
                metricsAddress?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.RegisterTaskManagerRequest.$Properties;
        }

        interface IRegisterTaskManagerResponse extends eddy.v1.RegisterTaskManagerResponse.$Properties {
        }

        class RegisterTaskManagerResponse {
            constructor(properties?: eddy.v1.RegisterTaskManagerResponse.$Properties);
            $unknowns?: Uint8Array[];
            accepted: boolean;
            error: string;
            jobManagerId: string;
            leaderEpoch: number;
            heartbeatIntervalMs: number;
            heartbeatTimeoutMs: number;
            static create(properties: eddy.v1.RegisterTaskManagerResponse.$Shape): eddy.v1.RegisterTaskManagerResponse & eddy.v1.RegisterTaskManagerResponse.$Shape;
            static create(properties?: eddy.v1.RegisterTaskManagerResponse.$Properties): eddy.v1.RegisterTaskManagerResponse;
            static encode(message: eddy.v1.RegisterTaskManagerResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.RegisterTaskManagerResponse & eddy.v1.RegisterTaskManagerResponse.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace RegisterTaskManagerResponse {
            interface $Properties {
                accepted?: (boolean|null);
                error?: (string|null);
                jobManagerId?: (string|null);
                leaderEpoch?: (number|null);
                heartbeatIntervalMs?: (number|null);
                heartbeatTimeoutMs?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.RegisterTaskManagerResponse.$Properties;
        }

        interface IHeartbeatRequest extends eddy.v1.HeartbeatRequest.$Properties {
        }

        class HeartbeatRequest {
            constructor(properties?: eddy.v1.HeartbeatRequest.$Properties);
            $unknowns?: Uint8Array[];
            taskManagerId: string;
            leaderEpoch: number;
            tasks: eddy.v1.TaskMetricsSummary.$Properties[];
            static create(properties: eddy.v1.HeartbeatRequest.$Shape): eddy.v1.HeartbeatRequest & eddy.v1.HeartbeatRequest.$Shape;
            static create(properties?: eddy.v1.HeartbeatRequest.$Properties): eddy.v1.HeartbeatRequest;
            static encode(message: eddy.v1.HeartbeatRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.HeartbeatRequest & eddy.v1.HeartbeatRequest.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace HeartbeatRequest {
            interface $Properties {
                taskManagerId?: (string|null);
                leaderEpoch?: (number|null);
                tasks?: (eddy.v1.TaskMetricsSummary.$Properties[]|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.HeartbeatRequest.$Properties;
        }

        interface ITaskMetricsSummary extends eddy.v1.TaskMetricsSummary.$Properties {
        }

        class TaskMetricsSummary {
            constructor(properties?: eddy.v1.TaskMetricsSummary.$Properties);
            $unknowns?: Uint8Array[];
            executionId: string;
            recordsIn: number;
            recordsOut: number;
            busySeconds: number;
            idleSeconds: number;
            backpressuredSeconds: number;
            static create(properties: eddy.v1.TaskMetricsSummary.$Shape): eddy.v1.TaskMetricsSummary & eddy.v1.TaskMetricsSummary.$Shape;
            static create(properties?: eddy.v1.TaskMetricsSummary.$Properties): eddy.v1.TaskMetricsSummary;
            static encode(message: eddy.v1.TaskMetricsSummary.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.TaskMetricsSummary & eddy.v1.TaskMetricsSummary.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace TaskMetricsSummary {
            interface $Properties {
                executionId?: (string|null);
                recordsIn?: (number|null);
                recordsOut?: (number|null);
                busySeconds?: (number|null);
                idleSeconds?: (number|null);
                backpressuredSeconds?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.TaskMetricsSummary.$Properties;
        }

        interface IHeartbeatResponse extends eddy.v1.HeartbeatResponse.$Properties {
        }

        class HeartbeatResponse {
            constructor(properties?: eddy.v1.HeartbeatResponse.$Properties);
            $unknowns?: Uint8Array[];
            known: boolean;
            static create(properties: eddy.v1.HeartbeatResponse.$Shape): eddy.v1.HeartbeatResponse & eddy.v1.HeartbeatResponse.$Shape;
            static create(properties?: eddy.v1.HeartbeatResponse.$Properties): eddy.v1.HeartbeatResponse;
            static encode(message: eddy.v1.HeartbeatResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.HeartbeatResponse & eddy.v1.HeartbeatResponse.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace HeartbeatResponse {
            interface $Properties {
                known?: (boolean|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.HeartbeatResponse.$Properties;
        }

        enum ExecutionState {
            EXECUTION_STATE_UNSPECIFIED = 0,
            DEPLOYING = 1,
            INITIALIZING = 2,
            RUNNING = 3,
            FINISHED = 4,
            CANCELING = 5,
            CANCELED = 6,
            FAILED = 7
        }

        interface ITaskExecutionStateUpdate extends eddy.v1.TaskExecutionStateUpdate.$Properties {
        }

        class TaskExecutionStateUpdate {
            constructor(properties?: eddy.v1.TaskExecutionStateUpdate.$Properties);
            $unknowns?: Uint8Array[];
            taskManagerId: string;
            jobId: string;
            attempt: number;
            executionId: string;
            state: eddy.v1.ExecutionState;
            errorJson: string;
            leaderEpoch: number;
            static create(properties: eddy.v1.TaskExecutionStateUpdate.$Shape): eddy.v1.TaskExecutionStateUpdate & eddy.v1.TaskExecutionStateUpdate.$Shape;
            static create(properties?: eddy.v1.TaskExecutionStateUpdate.$Properties): eddy.v1.TaskExecutionStateUpdate;
            static encode(message: eddy.v1.TaskExecutionStateUpdate.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.TaskExecutionStateUpdate & eddy.v1.TaskExecutionStateUpdate.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace TaskExecutionStateUpdate {
            interface $Properties {
                taskManagerId?: (string|null);
                jobId?: (string|null);
                attempt?: (number|null);
                executionId?: (string|null);
                state?: (eddy.v1.ExecutionState|null);
                errorJson?: (string|null);
                leaderEpoch?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.TaskExecutionStateUpdate.$Properties;
        }

        interface ICollectedRecords extends eddy.v1.CollectedRecords.$Properties {
        }

        class CollectedRecords {
            constructor(properties?: eddy.v1.CollectedRecords.$Properties);
            $unknowns?: Uint8Array[];
            jobId: string;
            attempt: number;
            sinkUid: string;
            subtask: number;
            payload: Uint8Array;
            static create(properties: eddy.v1.CollectedRecords.$Shape): eddy.v1.CollectedRecords & eddy.v1.CollectedRecords.$Shape;
            static create(properties?: eddy.v1.CollectedRecords.$Properties): eddy.v1.CollectedRecords;
            static encode(message: eddy.v1.CollectedRecords.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.CollectedRecords & eddy.v1.CollectedRecords.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace CollectedRecords {
            interface $Properties {
                jobId?: (string|null);
                attempt?: (number|null);
                sinkUid?: (string|null);
                subtask?: (number|null);
                payload?: (Uint8Array|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.CollectedRecords.$Properties;
        }

        interface ITaskDeployment extends eddy.v1.TaskDeployment.$Properties {
        }

        class TaskDeployment {
            constructor(properties?: eddy.v1.TaskDeployment.$Properties);
            $unknowns?: Uint8Array[];
            jobId: string;
            attempt: number;
            leaderEpoch: number;
            executionId: string;
            bundleKey: string;
            descriptorJson: string;
            static create(properties: eddy.v1.TaskDeployment.$Shape): eddy.v1.TaskDeployment & eddy.v1.TaskDeployment.$Shape;
            static create(properties?: eddy.v1.TaskDeployment.$Properties): eddy.v1.TaskDeployment;
            static encode(message: eddy.v1.TaskDeployment.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.TaskDeployment & eddy.v1.TaskDeployment.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace TaskDeployment {
            interface $Properties {
                jobId?: (string|null);
                attempt?: (number|null);
                leaderEpoch?: (number|null);
                executionId?: (string|null);
                bundleKey?: (string|null);
                descriptorJson?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.TaskDeployment.$Properties;
        }

        interface ICancelTaskRequest extends eddy.v1.CancelTaskRequest.$Properties {
        }

        class CancelTaskRequest {
            constructor(properties?: eddy.v1.CancelTaskRequest.$Properties);
            $unknowns?: Uint8Array[];
            jobId: string;
            attempt: number;
            executionId: string;
            leaderEpoch: number;
            static create(properties: eddy.v1.CancelTaskRequest.$Shape): eddy.v1.CancelTaskRequest & eddy.v1.CancelTaskRequest.$Shape;
            static create(properties?: eddy.v1.CancelTaskRequest.$Properties): eddy.v1.CancelTaskRequest;
            static encode(message: eddy.v1.CancelTaskRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.CancelTaskRequest & eddy.v1.CancelTaskRequest.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace CancelTaskRequest {
            interface $Properties {
                jobId?: (string|null);
                attempt?: (number|null);
                executionId?: (string|null);
                leaderEpoch?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.CancelTaskRequest.$Properties;
        }

        class DataExchange extends $protobuf.rpc.Service {
            constructor(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean);
            static create(rpcImpl: $protobuf.RPCImpl, requestDelimited?: boolean, responseDelimited?: boolean): DataExchange;
            exchange: eddy.v1.DataExchange.Exchange;
        }

        namespace DataExchange {
            type ExchangeCallback = (error: (Error|null), response?: eddy.v1.DataFrame) => void;
            type Exchange = {
              (request: eddy.v1.IDataFrame, callback: eddy.v1.DataExchange.ExchangeCallback): void;
              (request: eddy.v1.IDataFrame): Promise<eddy.v1.DataFrame>;
              readonly name: "Exchange";
              readonly path: "/eddy.v1.DataExchange/Exchange";
              readonly requestType: "DataFrame";
              readonly responseType: "DataFrame";
              readonly requestStream: true;
              readonly responseStream: true;
            };
        }

        interface IDataFrame extends eddy.v1.DataFrame.$Properties {
        }

        class DataFrame {
            constructor(properties?: eddy.v1.DataFrame.$Properties);
            $unknowns?: Uint8Array[];
            channel: number;
            seq: number;
            open?: (eddy.v1.OpenChannel.$Properties|null);
            credit?: (number|null);
            close?: (eddy.v1.CloseChannel.$Properties|null);
            buffer?: (Uint8Array|null);
            event?: (eddy.v1.ChannelEvent.$Properties|null);
            error?: (eddy.v1.ChannelError.$Properties|null);
            backlog: number;
            body?: ("open"|"credit"|"close"|"buffer"|"event"|"error");
            static create(properties: eddy.v1.DataFrame.$Shape): eddy.v1.DataFrame & eddy.v1.DataFrame.$Shape;
            static create(properties?: eddy.v1.DataFrame.$Properties): eddy.v1.DataFrame;
            static encode(message: eddy.v1.DataFrame.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.DataFrame & eddy.v1.DataFrame.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace DataFrame {
            interface $Properties {
                channel?: (number|null);
                seq?: (number|null);
                open?: (eddy.v1.OpenChannel.$Properties|null);
                credit?: (number|null);
                close?: (eddy.v1.CloseChannel.$Properties|null);
                buffer?: (Uint8Array|null);
                event?: (eddy.v1.ChannelEvent.$Properties|null);
                error?: (eddy.v1.ChannelError.$Properties|null);
                backlog?: (number|null);
                body?: ("open"|"credit"|"close"|"buffer"|"event"|"error");
                $unknowns?: Uint8Array[];
            }
            type $Shape = {
              channel?: number|null;
              seq?: number|null;
              open?: eddy.v1.OpenChannel.$Shape|null;
              credit?: number|null;
              close?: eddy.v1.CloseChannel.$Shape|null;
              buffer?: Uint8Array|null;
              event?: eddy.v1.ChannelEvent.$Shape|null;
              error?: eddy.v1.ChannelError.$Shape|null;
              backlog?: number|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ body?: undefined; open?: null; credit?: null; close?: null; buffer?: null; event?: null; error?: null }|{ body?: "open"; open: eddy.v1.OpenChannel.$Shape; credit?: null; close?: null; buffer?: null; event?: null; error?: null }|{ body?: "credit"; open?: null; credit: number; close?: null; buffer?: null; event?: null; error?: null }|{ body?: "close"; open?: null; credit?: null; close: eddy.v1.CloseChannel.$Shape; buffer?: null; event?: null; error?: null }|{ body?: "buffer"; open?: null; credit?: null; close?: null; buffer: Uint8Array; event?: null; error?: null }|{ body?: "event"; open?: null; credit?: null; close?: null; buffer?: null; event: eddy.v1.ChannelEvent.$Shape; error?: null }|{ body?: "error"; open?: null; credit?: null; close?: null; buffer?: null; event?: null; error: eddy.v1.ChannelError.$Shape })
            );
        }

        interface IOpenChannel extends eddy.v1.OpenChannel.$Properties {
        }

        class OpenChannel {
            constructor(properties?: eddy.v1.OpenChannel.$Properties);
            $unknowns?: Uint8Array[];
            jobId: string;
            attempt: number;
            partitionId: string;
            subpartition: number;
            initialCredit: number;
            static create(properties: eddy.v1.OpenChannel.$Shape): eddy.v1.OpenChannel & eddy.v1.OpenChannel.$Shape;
            static create(properties?: eddy.v1.OpenChannel.$Properties): eddy.v1.OpenChannel;
            static encode(message: eddy.v1.OpenChannel.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.OpenChannel & eddy.v1.OpenChannel.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace OpenChannel {
            interface $Properties {
                jobId?: (string|null);
                attempt?: (number|null);
                partitionId?: (string|null);
                subpartition?: (number|null);
                initialCredit?: (number|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.OpenChannel.$Properties;
        }

        interface ICloseChannel extends eddy.v1.CloseChannel.$Properties {
        }

        class CloseChannel {
            constructor(properties?: eddy.v1.CloseChannel.$Properties);
            $unknowns?: Uint8Array[];
            reason: string;
            static create(properties: eddy.v1.CloseChannel.$Shape): eddy.v1.CloseChannel & eddy.v1.CloseChannel.$Shape;
            static create(properties?: eddy.v1.CloseChannel.$Properties): eddy.v1.CloseChannel;
            static encode(message: eddy.v1.CloseChannel.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.CloseChannel & eddy.v1.CloseChannel.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace CloseChannel {
            interface $Properties {
                reason?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.CloseChannel.$Properties;
        }

        interface IChannelEvent extends eddy.v1.ChannelEvent.$Properties {
        }

        class ChannelEvent {
            constructor(properties?: eddy.v1.ChannelEvent.$Properties);
            $unknowns?: Uint8Array[];
            kind: string;
            payloadJson: string;
            static create(properties: eddy.v1.ChannelEvent.$Shape): eddy.v1.ChannelEvent & eddy.v1.ChannelEvent.$Shape;
            static create(properties?: eddy.v1.ChannelEvent.$Properties): eddy.v1.ChannelEvent;
            static encode(message: eddy.v1.ChannelEvent.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.ChannelEvent & eddy.v1.ChannelEvent.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ChannelEvent {
            interface $Properties {
                kind?: (string|null);
                payloadJson?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.ChannelEvent.$Properties;
        }

        interface IChannelError extends eddy.v1.ChannelError.$Properties {
        }

        class ChannelError {
            constructor(properties?: eddy.v1.ChannelError.$Properties);
            $unknowns?: Uint8Array[];
            message: string;
            static create(properties: eddy.v1.ChannelError.$Shape): eddy.v1.ChannelError & eddy.v1.ChannelError.$Shape;
            static create(properties?: eddy.v1.ChannelError.$Properties): eddy.v1.ChannelError;
            static encode(message: eddy.v1.ChannelError.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): eddy.v1.ChannelError & eddy.v1.ChannelError.$Shape;
            static getTypeUrl(prefix?: string): string;
        }

        namespace ChannelError {
            interface $Properties {
                message?: (string|null);
                $unknowns?: Uint8Array[];
            }
            type $Shape = eddy.v1.ChannelError.$Properties;
        }
    }
}
