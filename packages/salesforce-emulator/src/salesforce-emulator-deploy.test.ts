import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceEmulator } from './salesforce-emulator.js';
import {
  buildZip,
  connect,
  errorCodeOf,
  metadataXml,
  packageXml,
  rejection,
} from './salesforce-emulator-test-support.js';
import type { SalesforceEmulator } from './salesforce-emulator-types.js';

const value = (name: string) =>
  `<value><fullName>${name}</fullName><default>false</default><label>${name}</label></value>`;

const accountObject = metadataXml(
  'CustomObject',
  `<fields><fullName>CS_Stage__c</fullName><label>CS Stage</label><required>false</required><trackHistory>true</trackHistory><type>Picklist</type><valueSet><restricted>true</restricted><valueSetDefinition><sorted>false</sorted>${value('Onboarding')}${value('Adoption')}${value('Renewal')}</valueSetDefinition></valueSet></fields>` +
    '<fields><fullName>CS_Kickoff_Date__c</fullName><label>CS Kickoff Date</label><required>false</required><trackHistory>false</trackHistory><type>Date</type></fields>' +
    '<fields><fullName>CS_Journey_Key__c</fullName><caseSensitive>false</caseSensitive><externalId>true</externalId><label>CS Journey Key</label><length>80</length><required>false</required><type>Text</type><unique>true</unique></fields>',
);

const cycleObject = metadataXml(
  'CustomObject',
  '<deploymentStatus>Deployed</deploymentStatus><enableActivities>true</enableActivities><enableHistory>true</enableHistory>' +
    '<fields><fullName>Account__c</fullName><label>Account</label><referenceTo>Account</referenceTo><relationshipLabel>Success Cycles</relationshipLabel><relationshipName>Success_Cycles</relationshipName><relationshipOrder>0</relationshipOrder><reparentableMasterDetail>false</reparentableMasterDetail><trackHistory>false</trackHistory><type>MasterDetail</type><writeRequiresMasterRead>false</writeRequiresMasterRead></fields>' +
    '<fields><fullName>Stage__c</fullName><label>Stage</label><required>false</required><trackHistory>true</trackHistory><type>Picklist</type><valueSet><restricted>true</restricted><valueSetName>CS_Journey_Stage</valueSetName></valueSet></fields>' +
    '<label>Success Cycle</label><nameField><displayFormat>SC-{00000}</displayFormat><label>Success Cycle Number</label><type>AutoNumber</type></nameField><pluralLabel>Success Cycles</pluralLabel><sharingModel>ControlledByParent</sharingModel>',
);

const globalValueSet = metadataXml(
  'GlobalValueSet',
  `${['Onboarding', 'Adoption', 'Renewal']
    .map(
      (name) =>
        `<customValue><fullName>${name}</fullName><default>false</default><label>${name}</label></customValue>`,
    )
    .join('')}<masterLabel>CS Journey Stage</masterLabel><sorted>false</sorted>`,
);

const pathAssistant = metadataXml(
  'PathAssistant',
  '<active>true</active><entityName>Success_Cycle__c</entityName><fieldName>Stage__c</fieldName><masterLabel>Success Cycle Journey</masterLabel>' +
    '<pathAssistantSteps><fieldNames>Account__c</fieldNames><info>&lt;p&gt;Run the kickoff call.&lt;/p&gt;</info><picklistValueName>Onboarding</picklistValueName></pathAssistantSteps>' +
    '<pathAssistantSteps><info>&lt;p&gt;Drive adoption.&lt;/p&gt;</info><picklistValueName>Adoption</picklistValueName></pathAssistantSteps>' +
    '<recordTypeName>__MASTER__</recordTypeName>',
);

const pathSettings = metadataXml(
  'PathAssistantSettings',
  '<canOverrideAutoPathCollapseWithUserPref>false</canOverrideAutoPathCollapseWithUserPref><pathAssistantEnabled>true</pathAssistantEnabled>',
);

const taskCreate = (name: string, subject: string, x: number) =>
  `<recordCreates><name>${name}</name><label>${name}</label><locationX>${x}</locationX><locationY>300</locationY>` +
  '<inputAssignments><field>ActivityDate</field><value><elementReference>DueIn7Days</elementReference></value></inputAssignments>' +
  '<inputAssignments><field>OwnerId</field><value><elementReference>$Record.Account__r.OwnerId</elementReference></value></inputAssignments>' +
  `<inputAssignments><field>Subject</field><value><stringValue>${subject}</stringValue></value></inputAssignments>` +
  '<inputAssignments><field>WhatId</field><value><elementReference>$Record.Id</elementReference></value></inputAssignments>' +
  `<object>Task</object><storeOutputAutomatically>true</storeOutputAutomatically>${name === 'Onboarding_Kickoff' ? '<connector><targetReference>Onboarding_Training</targetReference></connector>' : ''}</recordCreates>`;

const stageFlow = metadataXml(
  'Flow',
  '<apiVersion>63.0</apiVersion>' +
    '<decisions><name>Which_Stage</name><label>Which Stage</label><locationX>50</locationX><locationY>150</locationY><defaultConnectorLabel>Other</defaultConnectorLabel>' +
    '<rules><name>Is_Onboarding</name><conditionLogic>and</conditionLogic><conditions><leftValueReference>$Record.Stage__c</leftValueReference><operator>EqualTo</operator><rightValue><stringValue>Onboarding</stringValue></rightValue></conditions><connector><targetReference>Onboarding_Kickoff</targetReference></connector><label>Is Onboarding</label></rules>' +
    '<rules><name>Is_Adoption</name><conditionLogic>and</conditionLogic><conditions><leftValueReference>$Record.Stage__c</leftValueReference><operator>EqualTo</operator><rightValue><stringValue>Adoption</stringValue></rightValue></conditions><connector><targetReference>Adoption_Review</targetReference></connector><label>Is Adoption</label></rules>' +
    '</decisions>' +
    '<formulas><name>DueIn7Days</name><dataType>Date</dataType><expression>TODAY() + 7</expression></formulas>' +
    '<label>CS Stage Tasks</label><processType>AutoLaunchedFlow</processType>' +
    taskCreate('Onboarding_Kickoff', 'Onboarding: schedule kickoff call', 100) +
    taskCreate('Onboarding_Training', 'Onboarding: book admin training', 200) +
    taskCreate('Adoption_Review', 'Adoption: usage review', 300) +
    '<start><locationX>50</locationX><locationY>0</locationY><connector><targetReference>Which_Stage</targetReference></connector>' +
    '<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria><filterLogic>and</filterLogic>' +
    '<filters><field>Stage__c</field><operator>IsNull</operator><value><booleanValue>false</booleanValue></value></filters>' +
    '<filters><field>Stage__c</field><operator>IsChanged</operator><value><booleanValue>true</booleanValue></value></filters>' +
    '<object>Success_Cycle__c</object><recordTriggerType>CreateAndUpdate</recordTriggerType><triggerType>RecordAfterSave</triggerType></start>' +
    '<status>Active</status>',
);

// The flow of research §2.7, verbatim in shape: Account enters Onboarding -> kickoff Task.
const accountFlow = metadataXml(
  'Flow',
  '<apiVersion>62.0</apiVersion><environments>Default</environments>' +
    '<formulas><name>DueIn7Days</name><dataType>Date</dataType><expression>TODAY() + 7</expression></formulas>' +
    '<interviewLabel>CS Onboarding Stage Tasks {!$Flow.CurrentDateTime}</interviewLabel><label>CS Onboarding Stage Tasks</label>' +
    '<processMetadataValues><name>BuilderType</name><value><stringValue>LightningFlowBuilder</stringValue></value></processMetadataValues>' +
    '<processType>AutoLaunchedFlow</processType>' +
    '<recordCreates><name>Create_Kickoff_Task</name><label>Create Kickoff Task</label><locationX>176</locationX><locationY>323</locationY>' +
    '<inputAssignments><field>ActivityDate</field><value><elementReference>DueIn7Days</elementReference></value></inputAssignments>' +
    '<inputAssignments><field>OwnerId</field><value><elementReference>$Record.OwnerId</elementReference></value></inputAssignments>' +
    '<inputAssignments><field>Priority</field><value><stringValue>Normal</stringValue></value></inputAssignments>' +
    '<inputAssignments><field>Status</field><value><stringValue>Not Started</stringValue></value></inputAssignments>' +
    '<inputAssignments><field>Subject</field><value><stringValue>Onboarding: schedule kickoff call</stringValue></value></inputAssignments>' +
    '<inputAssignments><field>WhatId</field><value><elementReference>$Record.Id</elementReference></value></inputAssignments>' +
    '<object>Task</object><storeOutputAutomatically>true</storeOutputAutomatically></recordCreates>' +
    '<start><locationX>50</locationX><locationY>0</locationY><connector><targetReference>Create_Kickoff_Task</targetReference></connector>' +
    '<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria><filterLogic>and</filterLogic>' +
    '<filters><field>CS_Stage__c</field><operator>EqualTo</operator><value><stringValue>Onboarding</stringValue></value></filters>' +
    '<object>Account</object><recordTriggerType>CreateAndUpdate</recordTriggerType><triggerType>RecordAfterSave</triggerType></start>' +
    '<status>Active</status>',
);

const permissionSet = metadataXml(
  'PermissionSet',
  '<description>Access to customer success journey fields</description>' +
    [
      'Account.CS_Stage__c',
      'Account.CS_Kickoff_Date__c',
      'Account.CS_Journey_Key__c',
      'Success_Cycle__c.Stage__c',
    ]
      .map(
        (field) =>
          `<fieldPermissions><editable>true</editable><field>${field}</field><readable>true</readable></fieldPermissions>`,
      )
      .join('') +
    '<hasActivationRequired>false</hasActivationRequired><label>CS Journey Manager</label>' +
    '<objectPermissions><allowCreate>true</allowCreate><allowDelete>false</allowDelete><allowEdit>true</allowEdit><allowRead>true</allowRead><modifyAllRecords>false</modifyAllRecords><object>Success_Cycle__c</object><viewAllRecords>false</viewAllRecords></objectPermissions>',
);

const lwcMeta = metadataXml(
  'LightningComponentBundle',
  '<apiVersion>63.0</apiVersion><isExposed>true</isExposed><masterLabel>Journey Progress</masterLabel><targets><target>lightning__RecordPage</target></targets><targetConfigs><targetConfig targets="lightning__RecordPage"><objects><object>Account</object></objects></targetConfig></targetConfigs>',
);

function fullProject(): Record<string, string> {
  return {
    'package.xml': packageXml({
      CustomField: [
        'Account.CS_Stage__c',
        'Account.CS_Kickoff_Date__c',
        'Account.CS_Journey_Key__c',
        'Success_Cycle__c.Account__c',
        'Success_Cycle__c.Stage__c',
      ],
      CustomObject: ['Success_Cycle__c'],
      Flow: ['CS_Stage_Tasks', 'CS_Onboarding_Stage_Tasks'],
      GlobalValueSet: ['CS_Journey_Stage'],
      LightningComponentBundle: ['journeyProgress'],
      PathAssistant: ['Success_Cycle_Journey'],
      PermissionSet: ['CS_Journey_Manager'],
      Settings: ['PathAssistant'],
    }),
    'objects/Account.object': accountObject,
    'objects/Success_Cycle__c.object': cycleObject,
    'globalValueSets/CS_Journey_Stage.globalValueSet': globalValueSet,
    'pathAssistants/Success_Cycle_Journey.pathAssistant': pathAssistant,
    'settings/PathAssistant.settings': pathSettings,
    'flows/CS_Stage_Tasks.flow': stageFlow,
    'flows/CS_Onboarding_Stage_Tasks.flow': accountFlow,
    'permissionsets/CS_Journey_Manager.permissionset': permissionSet,
    'lwc/journeyProgress/journeyProgress.js':
      "import { LightningElement } from 'lwc';\nexport default class JourneyProgress extends LightningElement {}\n",
    'lwc/journeyProgress/journeyProgress.html': '<template></template>\n',
    'lwc/journeyProgress/journeyProgress.js-meta.xml': lwcMeta,
  };
}

async function deploy(
  connection: Connection,
  files: Record<string, string>,
  options: Record<string, unknown> = { singlePackage: true, rollbackOnError: true },
) {
  return connection.metadata.deploy(buildZip(files), options).complete(true);
}

describe('deploy and the generated automation through jsforce', () => {
  let emulator: SalesforceEmulator;
  let connection: Connection;

  beforeAll(async () => {
    emulator = await createSalesforceEmulator();
    connection = connect(emulator);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('fails a deploy atomically when a component is bad (rollbackOnError) and names the problem', async () => {
    const files = fullProject();
    files['pathAssistants/Success_Cycle_Journey.pathAssistant'] = pathAssistant.replace(
      '<picklistValueName>Adoption</picklistValueName>',
      '<picklistValueName>Adopted</picklistValueName>',
    );
    const result = await deploy(connection, files);
    expect(result.status).toBe('Failed');
    expect(result.success).toBe(false);
    const failures = [result.details?.componentFailures ?? []].flat();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      componentType: 'PathAssistant',
      fullName: 'Success_Cycle_Journey',
      problem: 'Picklist value: Adopted in picklist: Stage__c not found',
      problemType: 'Error',
    });
    expect(emulator.org().metadata('CustomObject')).toHaveLength(0);
  });

  it('requires Path to be enabled before a PathAssistant deploys', async () => {
    const files = fullProject();
    delete files['settings/PathAssistant.settings'];
    files['package.xml'] = packageXml({
      GlobalValueSet: ['CS_Journey_Stage'],
      CustomObject: ['Success_Cycle__c'],
      CustomField: ['Success_Cycle__c.Account__c', 'Success_Cycle__c.Stage__c'],
      PathAssistant: ['Success_Cycle_Journey'],
    });
    const result = await deploy(connection, files);
    const failures = [result.details?.componentFailures ?? []].flat();
    expect(failures[0]?.problem).toContain('Path is not enabled');
  });

  it('validates without saving when checkOnly', async () => {
    const result = await deploy(connection, fullProject(), {
      singlePackage: true,
      rollbackOnError: true,
      checkOnly: true,
    });
    expect(result).toMatchObject({ status: 'Succeeded', success: true, checkOnly: true });
    expect(emulator.org().metadata('Flow')).toHaveLength(0);
  });

  it('reports members missing from the zip and a missing package.xml', async () => {
    const missing = await deploy(connection, {
      'package.xml': packageXml({ CustomField: ['Account.Ghost__c'] }),
    });
    expect([missing.details?.componentFailures ?? []].flat()[0]?.problem).toBe(
      "An object 'Account.Ghost__c' of type CustomField was named in package.xml, but was not found in zipped directory",
    );
    const noManifest = await deploy(connection, { 'flows/X.flow': accountFlow });
    expect([noManifest.details?.componentFailures ?? []].flat()[0]?.problem).toBe('No package.xml found');
  });

  it('deploys the full project (Path, flows, permission set, LWC) and reports component successes', async () => {
    const result = await deploy(connection, fullProject());
    expect(result.status).toBe('Succeeded');
    const successes = [result.details?.componentSuccesses ?? []].flat();
    expect(successes.map((entry) => `${entry.componentType}:${entry.fullName}`)).toEqual(
      expect.arrayContaining([
        'Settings:PathAssistant',
        'GlobalValueSet:CS_Journey_Stage',
        'CustomObject:Success_Cycle__c',
        'CustomField:Success_Cycle__c.Stage__c',
        'PathAssistant:Success_Cycle_Journey',
        'Flow:CS_Stage_Tasks',
        'LightningComponentBundle:journeyProgress',
      ]),
    );
    expect(Number(result.numberComponentsDeployed)).toBeGreaterThanOrEqual(12);
    const status = await connection.metadata.checkStatus(result.id);
    expect(status.done).toBe(true);
    expect(emulator.org().deploys().at(-1)?.status).toBe('Succeeded');
  });

  it('refuses a second path for the same object and record type', async () => {
    const second = pathAssistant.replace('Success Cycle Journey', 'Another Journey');
    const result = await deploy(connection, {
      'package.xml': packageXml({ PathAssistant: ['Another_Journey'] }),
      'pathAssistants/Another_Journey.pathAssistant': second,
    });
    expect([result.details?.componentFailures ?? []].flat()[0]?.problem).toBe(
      'Only one path can be created per record type for each object, including __Master__ record type.',
    );
  });

  it('hides new fields from the integration user until the permission set is assigned', async () => {
    const before = await connection.describe('Account');
    expect(before.fields.map((field) => field.name)).not.toContain('CS_Stage__c');
    const blocked = await rejection(
      connection.sobject('Account').create({ Name: 'Hidden Co', CS_Stage__c: 'Onboarding' }),
    );
    expect(errorCodeOf(blocked)).toBe('INVALID_FIELD');
    const invisibleQuery = await rejection(connection.query('SELECT CS_Stage__c FROM Account'));
    expect(errorCodeOf(invisibleQuery)).toBe('INVALID_FIELD');
    const permissionSets = await connection.query<{ Id: string }>(
      "SELECT Id FROM PermissionSet WHERE Name = 'CS_Journey_Manager'",
    );
    const assignment = await connection.sobject('PermissionSetAssignment').create({
      AssigneeId: emulator.org().integrationUserId,
      PermissionSetId: permissionSets.records[0]?.Id,
    });
    expect(assignment.success).toBe(true);
    const after = await connection.describe('Account');
    expect(after.fields.map((field) => field.name)).toContain('CS_Stage__c');
    const duplicate = await rejection(
      connection.sobject('PermissionSetAssignment').create({
        AssigneeId: emulator.org().integrationUserId,
        PermissionSetId: permissionSets.records[0]?.Id,
      }),
    );
    expect(errorCodeOf(duplicate)).toBe('DUPLICATE_VALUE');
  });

  it('runs the stage flow: moving a cycle into a stage creates that stage’s tasks, once', async () => {
    const account = await connection.sobject('Account').create({ Name: 'Cycle Customer' });
    const cycle = await connection.sobject('Success_Cycle__c').create({ Account__c: account.id! });
    expect(cycle.success).toBe(true);
    const tasksOf = async () =>
      (
        await connection.query<{ Subject: string; ActivityDate: string; OwnerId: string }>(
          `SELECT Subject, ActivityDate, OwnerId FROM Task WHERE WhatId = '${cycle.id!}' ORDER BY Subject`,
        )
      ).records;
    expect(await tasksOf()).toHaveLength(0);
    await connection.sobject('Success_Cycle__c').update({ Id: cycle.id!, Stage__c: 'Onboarding' });
    const onboarding = await tasksOf();
    expect(onboarding.map((task) => task.Subject)).toEqual([
      'Onboarding: book admin training',
      'Onboarding: schedule kickoff call',
    ]);
    const due = new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10);
    expect(onboarding[0]?.ActivityDate).toBe(due);
    expect(onboarding[0]?.OwnerId).toBe(emulator.org().integrationUserId);
    // Saving again without a stage change must not create the tasks a second time.
    await connection.sobject('Success_Cycle__c').update({ Id: cycle.id!, Stage__c: 'Onboarding' });
    expect(await tasksOf()).toHaveLength(2);
    await connection.sobject('Success_Cycle__c').update({ Id: cycle.id!, Stage__c: 'Adoption' });
    expect((await tasksOf()).map((task) => task.Subject)).toContain('Adoption: usage review');
    expect(await tasksOf()).toHaveLength(3);
    await connection.sobject('Success_Cycle__c').update({ Id: cycle.id!, Stage__c: 'Renewal' });
    expect(await tasksOf()).toHaveLength(3);
    const runs = emulator
      .org()
      .flowRuns()
      .filter((run) => run.flowName === 'CS_Stage_Tasks');
    expect(runs.map((run) => run.elements.join('>'))).toEqual([
      'Which_Stage>Onboarding_Kickoff>Onboarding_Training',
      'Which_Stage>Adoption_Review',
      'Which_Stage',
    ]);
    const history = emulator.org().fieldHistory('Success_Cycle__c', cycle.id!);
    expect(history.filter((entry) => entry.field === 'Stage__c').map((entry) => entry.newValue)).toEqual([
      'Onboarding',
      'Adoption',
      'Renewal',
    ]);
    const historyQuery = await connection.query<{ Field: string; NewValue: string }>(
      `SELECT Field, OldValue, NewValue FROM Success_Cycle__History WHERE ParentId = '${cycle.id!}' AND Field = 'Stage__c'`,
    );
    expect(historyQuery.totalSize).toBe(3);
  });

  it('runs the research §2.7 flow only on a false-to-true transition of its entry criteria', async () => {
    const account = await connection
      .sobject('Account')
      .create({ Name: 'Transition Co', CS_Stage__c: 'Onboarding' });
    const count = async () =>
      (await connection.query(`SELECT Id FROM Task WHERE WhatId = '${account.id!}'`)).totalSize;
    expect(await count()).toBe(1);
    await connection.sobject('Account').update({ Id: account.id!, Name: 'Transition Co (renamed)' });
    expect(await count()).toBe(1);
    await connection.sobject('Account').update({ Id: account.id!, CS_Stage__c: 'Adoption' });
    await connection.sobject('Account').update({ Id: account.id!, CS_Stage__c: 'Onboarding' });
    expect(await count()).toBe(2);
    expect(
      emulator
        .org()
        .fieldHistory('Account', account.id!)
        .filter((entry) => entry.field === 'CS_Stage__c'),
    ).toHaveLength(2);
  });

  it('rolls the save back when a flow fails', async () => {
    const brokenFlow = accountFlow
      .replace(
        '<field>Subject</field><value><stringValue>Onboarding: schedule kickoff call</stringValue></value>',
        '<field>Subject</field><value><stringValue>x</stringValue></value>',
      )
      .replace(
        '<field>WhatId</field><value><elementReference>$Record.Id</elementReference></value>',
        '<field>WhatId</field><value><stringValue>not-an-id</stringValue></value>',
      );
    const result = await deploy(connection, {
      'package.xml': packageXml({ Flow: ['CS_Onboarding_Stage_Tasks'] }),
      'flows/CS_Onboarding_Stage_Tasks.flow': brokenFlow,
    });
    expect(result.status).toBe('Succeeded');
    const error = await rejection(
      connection.sobject('Account').create({ Name: 'Flow Failure Co', CS_Stage__c: 'Onboarding' }),
    );
    expect(errorCodeOf(error)).toBe('CANNOT_EXECUTE_FLOW_TRIGGER');
    expect(error.message).toContain('id value of incorrect type: not-an-id');
    const left = await connection.query("SELECT Id FROM Account WHERE Name = 'Flow Failure Co'");
    expect(left.totalSize).toBe(0);
  });

  it('rejects flows that reference missing fields or elements', async () => {
    const bad = accountFlow
      .replace('<field>CS_Stage__c</field>', '<field>Ghost__c</field>')
      .replace(
        '<targetReference>Create_Kickoff_Task</targetReference>',
        '<targetReference>Nowhere</targetReference>',
      );
    const result = await deploy(connection, {
      'package.xml': packageXml({ Flow: ['Bad_Flow'] }),
      'flows/Bad_Flow.flow': bad,
    });
    const problems = [result.details?.componentFailures ?? []].flat().map((failure) => failure.problem);
    expect(problems.join('\n')).toContain('Ghost__c');
    expect(problems.join('\n')).toContain('Nowhere');
  });

  it('fails the SOAP call with INVALID_SESSION_ID for an unknown deploy session', async () => {
    const stranger = connect(emulator, '00Dnobody!x');
    const error = await rejection(
      stranger.metadata.deploy(buildZip(fullProject()), { singlePackage: true }).complete(),
    );
    expect(errorCodeOf(error)).toBe('INVALID_SESSION_ID');
  });
});
